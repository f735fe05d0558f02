"""Shared test setup. Helper modules (fakes.py, *_samples.py) sit beside the tests that use them; pytest's
default import mode puts each test folder on sys.path. Test folders are named so that none can pass for a
package of the project (a folder tests/contract/ would shadow the real ``contract`` package)."""
