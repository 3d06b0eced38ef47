package handlers

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPasswordVerificationsAreBounded: of ten logins at once, at most n
// verify their password at the same time, and every one gets its answer.
func TestPasswordVerificationsAreBounded(t *testing.T) {
	var running, most atomic.Int32
	slow := func(hash, password string) (bool, error) {
		now := running.Add(1)
		for {
			m := most.Load()
			if now <= m || most.CompareAndSwap(m, now) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond) // long enough for the others to pile up
		running.Add(-1)
		return hash == password, nil
	}
	verify := boundedVerify(slow, 2)
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 10 {
		wg.Go(func() {
			if good, err := verify("pw", "pw"); good && err == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if most.Load() != 2 || ok.Load() != 10 {
		t.Errorf("at most %d verifications at once (want 2), %d of 10 answered", most.Load(), ok.Load())
	}
}
