package io.mapreduce.internal.engine;

import io.mapreduce.MapReduceException;
import io.mapreduce.format.InputFormat;
import io.mapreduce.internal.io.Storages;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.JobOutput;
import io.mapreduce.spi.SharedDirectory;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job's inputs and output as every engine sets them up (the embedded job, and the cluster's
 * master), with the same one-line errors naming the path at fault.
 */
public final class JobFiles {
  private JobFiles() {}

  /** The one storage of all inputs. */
  public static Storage storageOf(List<String> inputs) {
    Storage storage = null;
    for (String input : inputs) {
      Storage s = Storages.forPath(input);
      if (storage != null && s != storage) {
        throw new MapReduceException("inputs on different storages are not supported yet: " + inputs);
      }
      storage = s;
    }
    return storage;
  }

  /** The input files, each once however many inputs name it, in the order first named. */
  public static List<InputFile> listInputs(Storage storage, List<String> inputs) throws IOException {
    Map<String, InputFile> files = new LinkedHashMap<>();
    for (String input : inputs) {
      try {
        for (InputFile f : storage.listInputs(input)) {
          files.putIfAbsent(storage.identity(f), f);
        }
      } catch (NoSuchFileException e) {
        throw new MapReduceException((e.getReason() == null ? "input not found" : e.getReason()) + ": " + input, e);
      } catch (AccessDeniedException e) {
        throw new MapReduceException("cannot read input " + input + ": " + denied(input, e), e);
      } catch (IOException e) {
        // A storage's message may name the input already (S3's does).
        String why = String.valueOf(e.getMessage());
        throw new MapReduceException(why.contains(input) ? "cannot read input: " + why
            : "cannot read input " + input + ": " + why, e);
      }
    }
    return List.copyOf(files.values());
  }

  /**
   * Cuts the input files into splits with the job's input format, checking what the format gives:
   * splits numbered 0, 1, ... in order.
   */
  public static List<InputSplit> split(InputFormat<?, ?> format, Storage storage, List<InputFile> files,
      long splitSize) {
    List<InputSplit> splits;
    try {
      splits = format.split(storage, files, splitSize);
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      throw new MapReduceException("input format " + format + " cannot split the input: " + why, e);
    }
    for (int i = 0; i < splits.size(); i++) {
      if (splits.get(i).index() != i) {
        throw new MapReduceException("input format " + format + " numbered split " + i + " as "
            + splits.get(i).index() + "; splits are numbered 0, 1, ... in order");
      }
    }
    return List.copyOf(splits);
  }

  /**
   * Whether a committed file is one of the main output's ({@code mr-out-*}, or the job's
   * {@code outputBaseName}), which a job's result lists, not a side output's (the specification
   * refuses side outputs whose names could be taken for the main output's).
   */
  public static boolean isMainOutput(java.net.URI file, String outputBaseName) {
    String path = file.getPath() != null ? file.getPath() : file.toString();
    return path.substring(path.lastIndexOf('/') + 1).startsWith(outputBaseName + "-");
  }

  /** Prepares the output; refuses one that exists, untouched. */
  public static JobOutput createOutput(String output, String jobId) {
    try {
      return Storages.forPath(output).createOutput(output, jobId);
    } catch (FileAlreadyExistsException e) {
      if (output.equals(e.getFile())) {
        throw new MapReduceException("output directory already exists: " + output
            + " (remove it or choose another; it was not touched)", e);
      }
      throw new MapReduceException("cannot create output directory " + output + ": " + e.getFile()
          + " is in the way", e);
    } catch (java.nio.file.NotDirectoryException e) {
      throw new MapReduceException("cannot create output directory " + output + ": " + e.getFile()
          + " is not a directory", e);
    } catch (AccessDeniedException e) {
      throw new MapReduceException("cannot create output directory " + output + ": " + denied(output, e), e);
    } catch (IOException e) {
      throw new MapReduceException("cannot create output directory " + output + ": " + e, e);
    }
  }

  /**
   * Creates the shared directory of a job's map outputs ({@link SharedMapOutputs}), checking that
   * it can be written; the master deletes it when the job ends.
   */
  public static SharedDirectory createIntermediate(String directory) {
    try {
      SharedDirectory shared = Storages.forPath(directory).sharedDirectory(directory);
      shared.create();
      return shared;
    } catch (FileAlreadyExistsException e) {
      throw new MapReduceException("cannot use intermediate directory " + directory + ": "
          + (e.getReason() == null ? "it exists already" : e.getReason())
          + " (a job's map outputs need a directory of their own, deleted when it ends)", e);
    } catch (NoSuchFileException e) {
      throw new MapReduceException("cannot use intermediate directory " + directory + ": "
          + (e.getReason() == null ? e.getFile() + " does not exist" : e.getReason()), e);
    } catch (AccessDeniedException e) {
      throw new MapReduceException("cannot use intermediate directory " + directory + ": " + denied(directory, e), e);
    } catch (IOException e) {
      throw new MapReduceException("cannot use intermediate directory " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * What the storage said of a refusal (such as "S3 denied access (AccessDenied)"), else "access
   * denied", and to which file when not the path the user gave: one line that names the path once,
   * where the exception's toString would repeat it after its class name.
   */
  private static String denied(String path, AccessDeniedException e) {
    String what = e.getReason() == null ? "access denied" : e.getReason();
    return e.getFile() == null || e.getFile().equals(path) ? what : what + " to " + e.getFile();
  }
}
