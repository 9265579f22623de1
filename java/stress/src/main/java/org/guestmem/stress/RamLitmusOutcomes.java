package org.guestmem.stress;

/**
 * The outcome keys of the block-list scenarios ({@code MP-version}, {@code MRU-clear}, {@code VERSION-drop})
 * exactly as {@code native/harness/litmus.table} writes them ({@code NAME=LABEL,...}). jcstress needs them as
 * compile-time constants for its {@code @Outcome} annotations; {@code LitmusOutcomesTest} checks every test
 * class's annotations (ids and grades, and the catch-all) against the table, and checks that the key
 * functions below print what the table's {@code key(...)} prints, so a copy here cannot drift.
 */
public final class RamLitmusOutcomes {
    private RamLitmusOutcomes() {}

    public static final String MP_VERSION = "MP-version";
    public static final String MRU_CLEAR = "MRU-clear";
    public static final String VERSION_DROP = "VERSION-drop";

    // MP-version: observe version (0 = old, 1 = new), list (0 = old, 1 = new).
    public static final String MP_OLD_OLD = "version=old,list=old";
    public static final String MP_OLD_NEW = "version=old,list=new";
    public static final String MP_NEW_NEW = "version=new,list=new";
    public static final String MP_NEW_OLD = "version=new,list=old";

    // MRU-clear: observe found, late, stale (each 0 or 1).
    public static final String MRU_MISSED = "found=0,late=0,stale=0";
    public static final String MRU_FOUND = "found=1,late=0,stale=0";
    public static final String MRU_LATE = "found=1,late=1,stale=0";
    public static final String MRU_STALE = "found=1,late=1,stale=1";

    // VERSION-drop: observe seen (0 = A, 1 = B), use (0 = drop, 1 = live, 2 = dead).
    public static final String VD_A_DROP = "seen=A,use=drop";
    public static final String VD_A_LIVE = "seen=A,use=live";
    public static final String VD_B_DROP = "seen=B,use=drop";
    public static final String VD_B_LIVE = "seen=B,use=live";
    public static final String VD_A_DEAD = "seen=A,use=dead";

    /** VERSION-drop's {@code use} values, in the table's label order. */
    static final int DROP = 0, LIVE = 1, DEAD = 2;

    private static final String[][] MP = {{MP_OLD_OLD, MP_OLD_NEW}, {MP_NEW_OLD, MP_NEW_NEW}};
    private static final String[][][] MRU = new String[2][2][2];
    private static final String[][] VD = {{VD_A_DROP, VD_A_LIVE, VD_A_DEAD}, {VD_B_DROP, VD_B_LIVE, "seen=B,use=dead"}};

    static {
        for (int f = 0; f < 2; f++) {
            for (int l = 0; l < 2; l++) {
                for (int s = 0; s < 2; s++) {
                    MRU[f][l][s] = "found=" + f + ",late=" + l + ",stale=" + s; // unlisted ones fall to the catch-all
                }
            }
        }
    }

    /** The MP-version key of (version, list); no allocation. */
    static String mp(int version, int list) {
        return MP[version][list];
    }

    /** The MRU-clear key of (found, late, stale); no allocation. */
    static String mru(int found, int late, int stale) {
        return MRU[found][late][stale];
    }

    /** The VERSION-drop key of (seen, use); no allocation. */
    static String vd(int seen, int use) {
        return VD[seen][use];
    }
}
