// A module that tries to use the library's internals, which are exported to its own modules only.
module intruder {
  requires io.mapreduce;
}
