#!/usr/bin/env bash
# Runs the Python tests in training/tests with the project venv (see .ci/run for its set-up).
# pytest's exit code 5 ("no tests collected") counts as success only while training/tests has
# no test files yet; once tests exist, collecting none is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."

PYTHON=training/.venv/bin/python
if [[ ! -x $PYTHON ]]; then
  echo "test:py: $PYTHON is missing; create it with .ci/run (or see README 'Development')" >&2
  exit 1
fi
if [[ ! -d training/tests ]] || ! find training/tests \( -name 'test_*.py' -o -name '*_test.py' \) | grep -q .; then
  echo "test:py: training/tests has no Python tests yet; nothing to run"
  exit 0
fi

"$PYTHON" -m pytest -q training/tests
status=$?
if [[ $status -eq 5 ]]; then
  echo "test:py: pytest collected no tests although training/tests has test files" >&2
fi
exit $status
