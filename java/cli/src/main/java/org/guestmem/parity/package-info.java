/**
 * The Java side of the ordering parity checks: the litmus scenarios of ORDERING.md as they are defined,
 * once, in {@code native/harness/litmus.table}, read by {@link org.guestmem.parity.LitmusTable}.
 *
 * <p>The C harness ({@code gm-litmus}) reads the same file; nothing in Java or C repeats its outcome grades
 * or variant expectations. {@code docs/PARITY.md} describes the format and how to read a report.
 */
package org.guestmem.parity;
