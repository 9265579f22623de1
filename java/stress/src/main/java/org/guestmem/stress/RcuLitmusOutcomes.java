package org.guestmem.stress;

/**
 * The outcome keys of the RCU scenarios ({@code RCU-gp}, {@code SB-reader}) exactly as
 * {@code native/harness/litmus.table} writes them ({@code NAME=LABEL,...}). jcstress needs them as
 * compile-time constants for its {@code @Outcome} annotations; {@code LitmusOutcomesTest} checks every test
 * class's annotations (ids and grades, and the catch-all) against the table, so a copy here cannot drift.
 * Each test reports the values the table observes from an {@code @Arbiter}, as one of these keys.
 */
public final class RcuLitmusOutcomes {
    private RcuLitmusOutcomes() {}

    public static final String RCU_GP = "RCU-gp";
    public static final String SB_READER = "SB-reader";

    // RCU-gp: observe saw (0 = old, 1 = new), block (0 = live, 1 = dead).
    public static final String GP_OLD_LIVE = "saw=old,block=live";
    public static final String GP_NEW_LIVE = "saw=new,block=live";
    public static final String GP_OLD_DEAD = "saw=old,block=dead";
    public static final String GP_NEW_DEAD = "saw=new,block=dead";

    // SB-reader: observe ptr (0 = old, 1 = new), ctr (0 = idle, 1 = busy).
    public static final String SB_OLD_BUSY = "ptr=old,ctr=busy";
    public static final String SB_NEW_IDLE = "ptr=new,ctr=idle";
    public static final String SB_NEW_BUSY = "ptr=new,ctr=busy";
    public static final String SB_OLD_IDLE = "ptr=old,ctr=idle";

    private static final String[][] GP = {{GP_OLD_LIVE, GP_OLD_DEAD}, {GP_NEW_LIVE, GP_NEW_DEAD}};
    private static final String[][] SB = {{SB_OLD_IDLE, SB_OLD_BUSY}, {SB_NEW_IDLE, SB_NEW_BUSY}};

    /** The RCU-gp key of (saw, block); no allocation. */
    static String gp(int saw, int block) {
        return GP[saw][block];
    }

    /** The SB-reader key of (ptr, ctr); no allocation. */
    static String sb(int ptr, int ctr) {
        return SB[ptr][ctr];
    }
}
