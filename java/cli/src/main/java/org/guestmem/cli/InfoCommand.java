package org.guestmem.cli;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.guestmem.host.HostMemory;
import org.guestmem.host.Membarrier;
import org.guestmem.nativeshim.NativeShim;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code guestmem info}: the machine, the JDK and what the native shim can do here. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the machine, the JDK and the native shim's capabilities.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        Map<String, Object> info = machine();
        info.put("native_library", NativeShim.ensureLoaded());
        info.put("host_page_size", HostMemory.hostPageSize());
        info.put("membarrier", Membarrier.status());
        if (json) {
            System.out.print(Json.write(info));
        } else {
            info.forEach((k, v) -> System.out.printf("%-16s %s%n", k, v));
        }
        return 0;
    }

    /** Machine, CPU, JDK and date: printed beside every measurement. */
    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", Machine.cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        m.put("jvm_args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        m.put("date", java.time.OffsetDateTime.now().withNano(0).toString());
        return m;
    }
}
