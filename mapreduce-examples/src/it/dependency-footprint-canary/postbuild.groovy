// It must fail for the rule's reason, not any other.
def log = new File(basedir, 'build.log').text
assert log.contains('com.google.guava:guava:jar:27.0.1-jre <--- banned via the exclude/include list')
