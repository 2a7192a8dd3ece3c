# Sourced by .ci/test. Installs and starts what the test suite needs beyond the .NET SDK.
# Nothing installed by hand survives to a clean machine, so everything the tests use is set up here.

prereqs_install() {
  return 0
}

prereqs_start() {
  return 0
}

prereqs_stop() {
  return 0
}
