// A user's application as a named module: it reads the API and opens its job classes to the library,
// which encodes them reflectively (record keys; Kryo, which copies the mapper and ships it to workers).
module app {
  requires io.mapreduce;
  requires io.mapreduce.netty;
  opens app to io.mapreduce, io.mapreduce.thirdparty;
}
