# The two commands of the README.  Both set everything up themselves on a fresh machine.
# make passes no flags on to the scripts (`make run --port 9000` is read by make itself):
# use the environment, `PARLEY_PORT=9000 make run`, or ARGS, `make run ARGS="--port 9000"`.
.PHONY: run test

run:  ## install Parley and start it on its embedded defaults; ARGS go to `parley serve`
	scripts/run.sh $(ARGS)

test:  ## install what the tests need and run the whole suite; ARGS go to pytest
	scripts/test.sh $(ARGS)
