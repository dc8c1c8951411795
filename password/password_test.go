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

func TestOutdatedHashes(t *testing.T) {
	cheap := Params{Memory: 1024, Time: 1, Threads: 1}
	h, _ := Hash("correct horse battery", cheap)
	if Outdated(h, cheap) {
		t.Error("a hash with the current parameters is outdated")
	}
	for _, p := range []Params{{Memory: 2048, Time: 1, Threads: 1}, {Memory: 1024, Time: 2, Threads: 1}, {Memory: 1024, Time: 1, Threads: 2}} {
		if !Outdated(h, p) {
			t.Errorf("a hash made with %+v is not outdated under %+v", cheap, p)
		}
	}
	if !Outdated("$bcrypt$whatever", cheap) {
		t.Error("a malformed hash is not outdated")
	}
}

func TestPolicy(t *testing.T) {
	for _, c := range []struct {
		pw string
		ok bool
	}{
		{"short-pass1", false},                // 11 characters
		{"twelve chars", true},                // 12
		{"éèêëàâäôöûü", false},                // 11 characters, 22 bytes
		{"éèêëàâäôöûüç", true},                // 12 characters
		{"qwerty123456", false},               // common
		{"QWERTY123456", false},               // common, whatever the case
		{"1qaz2wsx3edc", false},               // common
		{strings.Repeat("x", MaxBytes), true}, // long is fine
		{strings.Repeat("x", MaxBytes+1), false},
		{"fixture-password", true},
		{"demo-password", true},
	} {
		err := Check(c.pw)
		if (err == nil) != c.ok {
			t.Errorf("Check(%.20q) = %v, want ok %v", c.pw, err, c.ok)
		}
		if _, herr := New(c.pw, Params{Memory: 8, Time: 1, Threads: 1}); (herr == nil) != c.ok {
			t.Errorf("New(%.20q) = %v, want ok %v", c.pw, herr, c.ok)
		}
	}
	if n := len(common()); n < 9_900 {
		t.Errorf("the common list holds %d passwords", n)
	}
	for _, pw := range []string{"123456", "password", "dragon", "brady"} { // first, last of the 10,000
		if !Common(pw) {
			t.Errorf("%q is not in the common list", pw)
		}
	}
}
