// It passes having compared the two versions, not having skipped the comparison.
def diff = new File(basedir, 'target/japicmp/api-check.diff').text
assert diff.contains('REMOVED METHOD: PUBLIC(-) int answer()')
