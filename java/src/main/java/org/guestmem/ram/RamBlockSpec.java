package org.guestmem.ram;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.apache.commons.lang3.Validate;

/**
 * What {@link RamList#add} creates: a name (QEMU's idstr), the used and maximum sizes, the backing and
 * flags. Sizes must be multiples of the list's target page size; {@code maxLength > usedLength} needs
 * {@link RamBlock.Flag#RESIZEABLE}.
 */
public record RamBlockSpec(String name, long usedLength, long maxLength, Backing backing, Set<RamBlock.Flag> flags) {
    /** QEMU's idstr is a 256-byte C string: at most 255 bytes, and the stream sends it with a one-byte length. */
    public static final int MAX_NAME_BYTES = 255;

    public RamBlockSpec {
        validateName(name);
        Objects.requireNonNull(backing, "backing");
        Objects.requireNonNull(flags, "flags");
        flags = flags.isEmpty() ? EnumSet.noneOf(RamBlock.Flag.class) : EnumSet.copyOf(flags);
        Validate.isTrue(usedLength > 0, "block '%s': used length %d must be positive", name, usedLength);
        Validate.isTrue(maxLength >= usedLength, "block '%s': max length %d is below the used length %d", name, maxLength, usedLength);
        Validate.isTrue(maxLength == usedLength || flags.contains(RamBlock.Flag.RESIZEABLE),
                "block '%s': max length %d differs from used length %d but the block is not RESIZEABLE", name, maxLength, usedLength);
        if (backing instanceof Backing.Memfd || backing instanceof Backing.File f && f.shared()) {
            flags.add(RamBlock.Flag.SHARED);
        }
        flags = Set.copyOf(flags);
    }

    /** A fixed-size, migratable, anonymous block (the common case). */
    public static RamBlockSpec of(String name, long size) {
        return new RamBlockSpec(name, size, size, Backing.anonymous(), EnumSet.of(RamBlock.Flag.MIGRATABLE, RamBlock.Flag.NORESERVE));
    }

    /** A resizeable, migratable, anonymous block that can grow to {@code maxLength}. */
    public static RamBlockSpec resizeable(String name, long usedLength, long maxLength) {
        return new RamBlockSpec(name, usedLength, maxLength, Backing.anonymous(),
                EnumSet.of(RamBlock.Flag.MIGRATABLE, RamBlock.Flag.NORESERVE, RamBlock.Flag.RESIZEABLE));
    }

    public RamBlockSpec withBacking(Backing b) {
        return new RamBlockSpec(name, usedLength, maxLength, b, flags);
    }

    public RamBlockSpec withFlags(Set<RamBlock.Flag> f) {
        return new RamBlockSpec(name, usedLength, maxLength, backing, f);
    }

    /** The idstr rules: 1..255 bytes of UTF-8, no control characters. */
    static void validateName(String name) {
        Validate.isTrue(name != null && !name.isEmpty(), "block name must not be empty");
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        Validate.isTrue(bytes <= MAX_NAME_BYTES, "block name '%s' is %d bytes long; the limit is %d", name, bytes, MAX_NAME_BYTES);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            Validate.isTrue(c >= 0x20 && c != 0x7f, "block name '%s' contains control character 0x%02x at index %d", name, (int) c, i);
        }
    }
}
