# The two commands of the README.
.PHONY: demo test
demo:  ## set up, then run the main job on the bundled Clara model
	@scripts/setup.sh
	@.venv/bin/yakkan demo
test:  ## set up (with test tools and browser), then run the tests
	@scripts/setup.sh --test
	@.venv/bin/ruff check .
	@.venv/bin/python -m pytest
