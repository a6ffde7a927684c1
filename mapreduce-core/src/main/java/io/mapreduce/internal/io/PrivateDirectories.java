package io.mapreduce.internal.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * Directories only their user can enter (mode 0700): work directories of jobs and daemons, where
 * another local user must neither read map outputs and cached jars nor plant files. A name under
 * {@code $TMPDIR} is predictable, so another user can create it first (as a directory of theirs,
 * or a link to one); such a directory is refused, never used. Where the file system has no POSIX
 * permissions (Windows), directories are only created.
 */
public final class PrivateDirectories {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> WRITABLE_BY_OTHERS = EnumSet.of(PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.OTHERS_WRITE);

  private PrivateDirectories() {}

  /** Mode 0700 on creation, where the file system has POSIX permissions. */
  public static FileAttribute<?>[] ownerOnly() {
    return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
  }

  /**
   * A fresh directory of mode 0700 under {@code $TMPDIR} with a random name: for a daemon's
   * default work directory.
   */
  public static Path createTemporary(String prefix) throws IOException {
    return Files.createTempDirectory(prefix, ownerOnly());
  }

  /**
   * Makes {@code dir} a directory of this user's that no one else can enter: creates it with
   * mode 0700 (its parents as usual) if absent; takes an existing one only if this user owns it and
   * no one else can write to it, and then takes the group's and others' access away from it.
   *
   * @return {@code dir}
   * @throws IOException naming the directory and what is wrong with it, in one line
   */
  public static Path ensure(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      if (dir.getParent() != null) {
        Files.createDirectories(dir.getParent());
      }
      try {
        Files.createDirectory(dir, ownerOnly());
        return dir;
      } catch (FileAlreadyExistsException raced) {
        // Someone made it meanwhile: checked as an existing one below.
      }
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException("the work directory " + dir + " is not a directory");
    }
    if (!POSIX) {
      return dir;
    }
    // A link is followed (a chosen directory may be one), but only a link this user made (another
    // user's link, at a predictable path, could point at any of this user's directories and be
    // re-pointed after the check) and only to a directory of this user's.
    UserPrincipal me = currentUser();
    if (Files.isSymbolicLink(dir)) {
      UserPrincipal linkOwner = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).owner();
      if (!linkOwner.equals(me)) {
        throw new IOException("the work directory " + dir + " is a symbolic link of " + linkOwner.getName()
            + "'s, not of " + me.getName() + "'s: refusing to use it (choose another)");
      }
    }
    PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class);
    return checked(dir, attributes, me);
  }

  /** The user this JVM runs as. */
  public static UserPrincipal currentUser() throws IOException {
    return FileSystems.getDefault().getUserPrincipalLookupService()
        .lookupPrincipalByName(System.getProperty("user.name"));
  }

  private static Path checked(Path dir, PosixFileAttributes attributes, UserPrincipal me) throws IOException {
    if (!attributes.owner().equals(me)) {
      throw new IOException("the work directory " + dir + " belongs to " + attributes.owner().getName()
          + ", not to " + me.getName() + ": refusing to use it (choose another)");
    }
    Set<PosixFilePermission> permissions = attributes.permissions();
    if (permissions.stream().anyMatch(WRITABLE_BY_OTHERS::contains)) {
      throw new IOException("the work directory " + dir + " is writable by others (mode "
          + PosixFilePermissions.toString(permissions) + "): refusing to use it (chmod 700 it or choose another)");
    }
    if (!permissions.equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY);
    }
    return dir;
  }
}
