package org.guestmem.migration;

import java.util.ArrayList;
import java.util.List;

/**
 * Constants of QEMU's migration stream (migration/savevm.c and the RAM section of migration/ram.c),
 * which guestmem writes and reads unchanged: the file header, the section records and the RAM record
 * flags that live in the low bits of each page-aligned record header.
 *
 * <pre>
 * stream  := be32 0x5145564d ("QEVM")  be32 3  section*  u8 0x00 (EOF)  [u8 0x06 be32 len json]
 * section := u8 1 (START) be32 id  u8 n "ram"  be32 instance  be32 version(4)  record* EOS  [u8 0x7e be32 id]
 *          | u8 2 (PART) or 3 (END) be32 id  record* EOS  [footer]
 * record  := be64 (offset | flags)  [u8 n idstr, unless CONTINUE]  body
 * </pre>
 */
public final class RamStream {
    private RamStream() {}

    public static final int FILE_MAGIC = 0x5145564d;
    public static final int FILE_VERSION = 3;
    /** Version of the "ram" section (QEMU's register_savevm_live("ram", 0, 4, ...)). */
    public static final int RAM_SECTION_VERSION = 4;
    public static final String RAM_SECTION_NAME = "ram";

    // Section types (savevm.c).
    public static final int VM_EOF = 0x00;
    public static final int SECTION_START = 0x01;
    public static final int SECTION_PART = 0x02;
    public static final int SECTION_END = 0x03;
    public static final int SECTION_FULL = 0x04;
    public static final int SUBSECTION = 0x05;
    public static final int VMDESCRIPTION = 0x06;
    public static final int CONFIGURATION = 0x07;
    public static final int COMMAND = 0x08;
    public static final int SECTION_FOOTER = 0x7e;

    // RAM record flags (ram.c); they fit below 0x400 because offsets are multiples of pages >= 1 KiB.
    public static final int FLAG_FULL = 0x001;
    public static final int FLAG_ZERO = 0x002;
    public static final int FLAG_MEM_SIZE = 0x004;
    public static final int FLAG_PAGE = 0x008;
    public static final int FLAG_EOS = 0x010;
    public static final int FLAG_CONTINUE = 0x020;
    public static final int FLAG_XBZRLE = 0x040;
    public static final int FLAG_HOOK = 0x080;
    public static final int FLAG_COMPRESS_PAGE = 0x100;
    public static final int FLAG_MULTIFD_FLUSH = 0x200;
    /** The byte in front of an XBZRLE payload. */
    public static final int ENCODING_FLAG_XBZRLE = 0x01;

    private static final String[] FLAG_NAMES = {"FULL", "ZERO", "MEM_SIZE", "PAGE", "EOS", "CONTINUE", "XBZRLE", "HOOK",
            "COMPRESS_PAGE", "MULTIFD_FLUSH"};

    /** "ZERO|CONTINUE", with unknown bits as hex: for messages. */
    public static String flagNames(long flags) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < FLAG_NAMES.length; i++) {
            if ((flags & (1L << i)) != 0) {
                names.add(FLAG_NAMES[i]);
            }
        }
        long unknown = flags & ~0x3ffL;
        if (unknown != 0) {
            names.add("0x" + Long.toHexString(unknown));
        }
        return names.isEmpty() ? "none" : String.join("|", names);
    }

    /** The name of a section type byte, for messages. */
    public static String sectionTypeName(int type) {
        return switch (type) {
            case VM_EOF -> "EOF";
            case SECTION_START -> "SECTION_START";
            case SECTION_PART -> "SECTION_PART";
            case SECTION_END -> "SECTION_END";
            case SECTION_FULL -> "SECTION_FULL";
            case SUBSECTION -> "SUBSECTION";
            case VMDESCRIPTION -> "VMDESCRIPTION";
            case CONFIGURATION -> "CONFIGURATION";
            case COMMAND -> "COMMAND";
            case SECTION_FOOTER -> "SECTION_FOOTER";
            default -> String.format("unknown section type 0x%02x", type);
        };
    }

    /** One entry of the MEM_SIZE record: a block's idstr and used length. */
    public record BlockEntry(String name, long length) {}
}
