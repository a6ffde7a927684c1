// It must fail for japicmp's reason, not any other.
def log = new File(basedir, 'build.log').text
assert log.contains('Versions of archives indicate a patch change but binary incompatible changes found')
assert log.contains('oldMethod=probe.Api.answer()')
