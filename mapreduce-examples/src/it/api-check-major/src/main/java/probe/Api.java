package probe;

/** The probe's API. */
public final class Api {
  public int reply() {
    return 42;
  }
}
