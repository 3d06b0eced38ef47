//go:build race

package main

// raceDetector says whether the race detector is built in: the test of
// 10,000 articles skips under it, as .ci/run runs it without.
const raceDetector = true
