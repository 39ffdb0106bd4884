# The two commands of the README.  Both set everything up themselves on a fresh machine.
.PHONY: run test

run:  ## install Parley and start it on its embedded defaults
	scripts/run.sh

test:  ## install what the tests need and run the whole suite
	scripts/test.sh
