package password

import (
	"strings"
	"testing"
)

func TestHashVerifiesOnlyTheRightPassword(t *testing.T) {
	p := Params{Memory: 1024, Time: 1, Threads: 1}
	h, err := Hash("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	if ok, err := Verify("correct horse battery", h); err != nil || !ok {
		t.Fatalf("right password rejected: %v %v", ok, err)
	}
	if ok, _ := Verify("correct horse batterY", h); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := Hash("correct horse battery", p)
	if h2 == h {
		t.Fatal("two hashes of one password share a salt")
	}
	if _, err := Verify("x", "$bcrypt$whatever"); err != ErrMalformed {
		t.Fatalf("malformed hash: got %v", err)
	}
}
