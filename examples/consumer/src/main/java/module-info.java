/** A user's application: guest RAM from the library, one C peer from the native jar. */
module org.guestmem.example.consumer {
    requires org.guestmem;
    requires org.guestmem.nativeshim;
}
