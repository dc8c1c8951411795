package oidc_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"

	"github.com/partnerdesk/partnerdesk/oidc"
	"github.com/partnerdesk/partnerdesk/oidc/oidctest"
)

// callback is where the provider sends the browser back; nothing listens
// there: the test's browser stops at the redirect and reads it.
const callback = "http://127.0.0.1:9/oidc/callback"

var users = []oidctest.User{
	{Email: "ada@corp.example", EmailVerified: true, Password: "ada's password"},
	{Email: "bob@corp.example", EmailVerified: false, Password: "bob's password"},
}

func start(t *testing.T) (*oidctest.Provider, *oidc.Provider) {
	op := oidctest.Start(t, callback, users...)
	return op, oidc.New(oidc.Config{Issuer: op.Issuer, ClientID: op.ClientID, ClientSecret: op.ClientSecret})
}

// logIn takes a browser through the provider for f, as email, and returns
// the state and code the provider sends back.
func logIn(t *testing.T, p *oidc.Provider, f oidc.Flow, email, password string) (state, code string) {
	t.Helper()
	to, err := p.AuthURL(context.Background(), callback, f)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	var back *url.URL
	browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host == "127.0.0.1:9" {
			back = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	res, err := browser.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	req, ok := oidctest.LogIn(res.Request.URL, string(page), email, password)
	if !ok {
		t.Fatalf("no login form at %s:\n%s", res.Request.URL, page)
	}
	if res, err = browser.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if back == nil {
		t.Fatalf("the provider did not send the browser back (status %d at %s)", res.StatusCode, res.Request.URL)
	}
	return back.Query().Get("state"), back.Query().Get("code")
}

func TestSignInThroughAProvider(t *testing.T) {
	_, p := start(t)
	if p.Name() != "127.0.0.1" {
		t.Errorf("name %q, want the issuer's host", p.Name())
	}
	f := oidc.NewFlow()
	state, code := logIn(t, p, f, "ada@corp.example", "ada's password")
	if state != f.State || code == "" {
		t.Fatalf("state %q code %q", state, code)
	}
	id, err := p.Finish(context.Background(), callback, f, state, code)
	if err != nil || id.Email != "ada@corp.example" || !id.EmailVerified || id.Subject == "" {
		t.Fatalf("identity %+v %v", id, err)
	}
	// A code is exchanged once.
	if _, err := p.Finish(context.Background(), callback, f, state, code); !errors.Is(err, oidc.ErrRefused) {
		t.Errorf("a code twice: %v", err)
	}

	f = oidc.NewFlow()
	state, code = logIn(t, p, f, "bob@corp.example", "bob's password")
	if id, err := p.Finish(context.Background(), callback, f, state, code); err != nil || id.EmailVerified {
		t.Errorf("an unverified email: %+v %v", id, err)
	}
}

// A callback that is not its flow's is refused: another state, an ID token
// for another nonce, a code exchanged without the flow's PKCE verifier.
func TestCallbacksOfAnotherFlowAreRefused(t *testing.T) {
	_, p := start(t)
	for _, c := range []struct {
		name   string
		change func(f *oidc.Flow, state *string)
	}{
		{"state", func(_ *oidc.Flow, state *string) { *state = oidc.NewFlow().State }},
		{"no state", func(_ *oidc.Flow, state *string) { *state = "" }},
		{"nonce", func(f *oidc.Flow, _ *string) { f.Nonce = oidc.NewFlow().Nonce }},
		{"verifier", func(f *oidc.Flow, _ *string) { f.Verifier = oidc.NewFlow().Verifier }},
	} {
		f := oidc.NewFlow()
		state, code := logIn(t, p, f, "ada@corp.example", "ada's password")
		c.change(&f, &state)
		if id, err := p.Finish(context.Background(), callback, f, state, code); !errors.Is(err, oidc.ErrRefused) {
			t.Errorf("another %s: %+v %v, want refused", c.name, id, err)
		}
	}
}

func TestAProviderThatCannotBeReached(t *testing.T) {
	op, p := start(t)
	op.Close()
	if _, err := p.AuthURL(context.Background(), callback, oidc.NewFlow()); !errors.Is(err, oidc.ErrUnavailable) {
		t.Errorf("provider down: %v", err)
	}
}
