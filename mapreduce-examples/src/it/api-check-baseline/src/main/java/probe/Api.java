package probe;

/** The probe's API. */
public final class Api {
  public int answer() {
    return 42;
  }
}
