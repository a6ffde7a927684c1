package io.mapreduce.launcher.ec2;

/**
 * The images the {@code ec2} provider looks up when none is named: the newest available x86_64
 * image of the family in the region, by creation date (image ids differ per region and change
 * with every release, so none is written down here), and the family's login user.
 */
public enum ImageFamily {
  /** Amazon Linux 2023, published by Amazon; login user {@code ec2-user}. */
  AMAZON_LINUX_2023("amazon", "al2023-ami-2023.*-x86_64", "ec2-user"),
  /** Debian 12, published by Debian's account; login user {@code admin}. */
  DEBIAN_12("136693071363", "debian-12-amd64-*", "admin");

  private final String owner;
  private final String namePattern;
  private final String loginUser;

  ImageFamily(String owner, String namePattern, String loginUser) {
    this.owner = owner;
    this.namePattern = namePattern;
    this.loginUser = loginUser;
  }

  String owner() {
    return owner;
  }

  String namePattern() {
    return namePattern;
  }

  /** The user the family's images let the key pair's holder in as. */
  public String loginUser() {
    return loginUser;
  }
}
