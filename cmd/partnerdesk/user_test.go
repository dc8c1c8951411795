package main

import (
	"bytes"
	"context"
	"flag"
	"path/filepath"
	"strings"
	"testing"
)

// user create applies the password policy to a password it is given.
func TestUserCreateRefusesWeakPasswords(t *testing.T) {
	db := "--database-url=" + filepath.Join(t.TempDir(), "pd.db")
	create := func(email, pw string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"user", "create", db, "--email", email, "--name", "N", "--role", "program_admin", "--password-stdin"},
			strings.NewReader(pw+"\n"), &out, &errOut)
		return code, errOut.String()
	}
	for _, c := range []struct{ pw, want string }{
		{"elevenchars", "at least 12 characters"},
		{"qwerty123456", "most common"},
	} {
		if code, errOut := create("weak@x.test", c.pw); code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("password %q: status %d, %q", c.pw, code, errOut)
		}
	}
	if code, errOut := create("a@x.test", "a long enough passphrase"); code != 0 {
		t.Errorf("a good password: status %d, %q", code, errOut)
	}
}

func TestProxyHopsSetting(t *testing.T) {
	for _, c := range []struct {
		env, flag string
		want      int
		ok        bool
	}{
		{"", "", 1, true},
		{"2", "", 2, true},
		{"2", "3", 3, true},
		{"0", "", 0, false},
		{"two", "", 1, false}, // refused; the default stands
		{"", "-1", -1, false},
	} {
		if c.env != "" {
			t.Setenv("PARTNERDESK_PROXY_HOPS", c.env)
		}
		var cfg config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		cfg.flags(fs)
		args := []string{}
		if c.flag != "" {
			args = append(args, "--proxy-hops="+c.flag)
		}
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		err := cfg.validate()
		if cfg.ProxyHops != c.want || (err == nil) != c.ok {
			t.Errorf("env %q flag %q: hops %d, err %v", c.env, c.flag, cfg.ProxyHops, err)
		}
	}
}
