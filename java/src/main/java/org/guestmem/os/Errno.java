package org.guestmem.os;

/** Names of the errno values {@link Libc} returns (negated), for messages a user can act on. */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, EBADF = 9, ENOMEM = 12, EACCES = 13, EFAULT = 14, EEXIST = 17,
            ENODEV = 19, EINVAL = 22, EFBIG = 27, ENOSPC = 28, ERANGE = 34, ENOSYS = 38, EOVERFLOW = 75,
            ESHUTDOWN = 108;

    private Errno() {}

    /** "EINVAL (22)" for rc = -22. */
    public static String name(int rc) {
        int e = -rc;
        String n = switch (e) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EBADF -> "EBADF";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case EFBIG -> "EFBIG";
            case ENOSPC -> "ENOSPC";
            case ERANGE -> "ERANGE";
            case ENOSYS -> "ENOSYS";
            case EOVERFLOW -> "EOVERFLOW";
            case ESHUTDOWN -> "ESHUTDOWN";
            default -> "errno";
        };
        return n + " (" + e + ")";
    }
}
