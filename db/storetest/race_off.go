//go:build !race

package storetest

// raceDetector says whether the race detector is built in (see
// skipUnderRace).
const raceDetector = false
