package org.guestmem.stress;

/**
 * The outcome ids of the RCU scenarios of ORDERING.md ({@code RCU-gp}, {@code SB-reader}), defined once and
 * used by every fixed and broken variant, so that a variant cannot drift from the table it is graded by.
 * Each id is jcstress's rendering of an {@code II_Result} ({@code "r1, r2"}).
 */
public final class RcuLitmusOutcomes {
    private RcuLitmusOutcomes() {}

    /** RCU-gp: the reader saw the block published after the removal (r1 = 0, r2 = 0). */
    public static final String GP_SAW_NEW = "0, 0";
    /** RCU-gp: the reader saw the removed block, which was not yet reclaimed (r1 = 1, r2 = 0). */
    public static final String GP_SAW_OLD_LIVE = "1, 0";
    /** RCU-gp, forbidden: the reader saw the removed block reclaimed inside its own section (r1 = 1, r2 = 1). */
    public static final String GP_SAW_OLD_RECLAIMED = "1, 1";

    /** SB-reader: the reader saw the new pointer and the writer saw the reader's counter (r1 = 1, r2 = 1). */
    public static final String SB_BOTH = "1, 1";
    /** SB-reader: the reader saw the new pointer; the writer saw the slot quiescent (r1 = 1, r2 = 0). */
    public static final String SB_READER_SAW_NEW = "1, 0";
    /** SB-reader: the writer saw the reader's counter; the reader saw the old pointer (r1 = 0, r2 = 1). */
    public static final String SB_WRITER_SAW_READER = "0, 1";
    /**
     * SB-reader, forbidden: the reader read the old pointer and the writer saw no reader (r1 = 0, r2 = 0), so
     * the writer would free what the reader holds. Store buffering: visible on x86 without a fence.
     */
    public static final String SB_NEITHER = "0, 0";
}
