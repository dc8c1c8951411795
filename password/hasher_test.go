package password

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestHasherBoundsConcurrentHashing(t *testing.T) {
	p := Params{Memory: 1024, Time: 1, Threads: 1}
	h := NewHasher(p, 2, 20*time.Millisecond)
	ctx := context.Background()
	enc, err := h.New(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.New(ctx, "qwerty123456"); err == nil {
		t.Error("a common password was hashed")
	}
	// Both slots taken: a third computation waits, then gives up.
	release := make(chan struct{})
	held := make(chan struct{})
	var holders sync.WaitGroup
	for range 2 {
		holders.Go(func() { h.do(ctx, func() error { held <- struct{}{}; <-release; return nil }) })
		<-held
	}
	start := time.Now()
	if _, _, err := h.Verify(ctx, "correct horse battery", enc); !errors.Is(err, ErrBusy) {
		t.Fatalf("with every slot busy: %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited < 20*time.Millisecond {
		t.Errorf("gave up after %s, before the wait", waited)
	}
	close(release)
	holders.Wait()
	if ok, outdated, err := h.Verify(ctx, "correct horse battery", enc); !ok || outdated || err != nil {
		t.Errorf("after the slots came free: ok %v outdated %v err %v", ok, outdated, err)
	}
	// Unknown accounts never match; outdated hashes say so.
	if ok, _, err := h.Verify(ctx, "correct horse battery", ""); ok || err != nil {
		t.Errorf("no hash: ok %v err %v", ok, err)
	}
	old, _ := Hash("correct horse battery", Params{Memory: 512, Time: 1, Threads: 1})
	if ok, outdated, _ := h.Verify(ctx, "correct horse battery", old); !ok || !outdated {
		t.Errorf("a weaker hash: ok %v outdated %v", ok, outdated)
	}
	if _, outdated, _ := h.Verify(ctx, "wrong", old); outdated {
		t.Error("a wrong password asks for a new hash")
	}
}
