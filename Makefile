# Convenience targets; README.md gives the same commands.
.PHONY: build test run bench bench-agenda bench-startup clean

build:
	swift build

test:
	scripts/test.sh

run:
	scripts/run.sh

# Figures beside baselines measured in the same run; release builds.
bench: bench-agenda bench-startup

bench-agenda:
	swift build -c release --product eventd-bench
	$$(swift build -c release --show-bin-path)/eventd-bench

bench-startup:
	swift build -c release
	python3 bench/startup.py $$(swift build -c release --show-bin-path)

clean:
	rm -rf .build
