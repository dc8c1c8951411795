// Package oidc signs users in through an OpenID Connect provider: the
// provider's discovery, the authorization-code flow with PKCE, state and
// nonce, and the claims Partnerdesk reads from it (a verified email). It
// wraps github.com/coreos/go-oidc and golang.org/x/oauth2; what a flow
// must remember between its two legs is the caller's to keep.
package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config names the provider and Partnerdesk's client at it.
type Config struct {
	Issuer       string // the provider's issuer URL, as its discovery document says it
	ClientID     string
	ClientSecret string
	// Name is what the sign-in page calls the provider ("Sign in with
	// Name"); the issuer's host name when empty.
	Name string
	// HTTPClient reaches the provider; a client with a 10-second timeout
	// when nil.
	HTTPClient *http.Client
}

// Enabled reports whether a provider is configured.
func (c Config) Enabled() bool { return c.Issuer != "" }

// Provider is a configured OpenID Connect provider. Its discovery
// document is fetched at the first sign-in, and again after a failure (at
// most every retryAfter), so that a provider that is down when the server
// starts does not stop it.
type Provider struct {
	cfg    Config
	client *http.Client

	mu       sync.Mutex
	oidc     *gooidc.Provider
	failedAt time.Time
}

// retryAfter is how long a failed discovery is not tried again: the
// sign-in page is public, and must not make each visit a request to the
// provider.
const retryAfter = 10 * time.Second

// New returns the provider cfg configures.
func New(cfg Config) *Provider {
	c := cfg.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	return &Provider{cfg: cfg, client: c}
}

// Name is the provider's name for people.
func (p *Provider) Name() string {
	if p.cfg.Name != "" {
		return p.cfg.Name
	}
	if u, err := url.Parse(p.cfg.Issuer); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return p.cfg.Issuer
}

// ErrUnavailable is the error of a provider that could not be reached.
var ErrUnavailable = errors.New("the sign-in provider cannot be reached")

func (p *Provider) discover(ctx context.Context) (*gooidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.oidc != nil {
		return p.oidc, nil
	}
	// The pause after a failed discovery is measured on the real clock:
	// it is about the provider's network, not the program's days.
	if time.Since(p.failedAt) < retryAfter {
		return nil, ErrUnavailable
	}
	op, err := gooidc.NewProvider(gooidc.ClientContext(ctx, p.client), p.cfg.Issuer)
	if err != nil {
		p.failedAt = time.Now()
		return nil, fmt.Errorf("%w: discover %s: %v", ErrUnavailable, p.cfg.Issuer, err)
	}
	p.oidc = op
	return op, nil
}

func (p *Provider) oauth2(op *gooidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: op.Endpoint(),
		RedirectURL: redirectURL, Scopes: []string{gooidc.ScopeOpenID, "email", "profile"}}
}

// Flow is what one sign-in must remember from the redirect to the
// provider until its callback: the state that ties the callback to this
// browser, the nonce that ties the ID token to this flow, and the PKCE
// verifier that only this server can present with the code.
type Flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
}

// NewFlow makes a flow's random values.
func NewFlow() Flow {
	return Flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
}

func random() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// AuthURL is the provider's page that starts f, coming back to
// redirectURL.
func (p *Provider) AuthURL(ctx context.Context, redirectURL string, f Flow) (string, error) {
	op, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	return p.oauth2(op, redirectURL).AuthCodeURL(f.State, gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), nil
}

// Identity is who the provider says signed in.
type Identity struct {
	Subject       string
	Email         string
	EmailVerified bool
}

// ErrRefused is the error of a callback that does not complete its flow:
// a state or nonce that is not the flow's, or a code the provider refuses.
var ErrRefused = errors.New("the sign-in provider's answer does not complete this sign-in")

// Finish completes f with the state and code of the provider's callback:
// it checks the state, exchanges the code (with the PKCE verifier) for
// tokens, verifies the ID token (signature, issuer, audience, expiry,
// nonce) and reads the email, from the ID token or else from the
// provider's userinfo for the same subject.
func (p *Provider) Finish(ctx context.Context, redirectURL string, f Flow, state, code string) (Identity, error) {
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(f.State)) != 1 {
		return Identity{}, fmt.Errorf("%w: the state is not this flow's", ErrRefused)
	}
	op, err := p.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	ctx = gooidc.ClientContext(ctx, p.client)
	tok, err := p.oauth2(op, redirectURL).Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Identity{}, fmt.Errorf("%w: code exchange: %v", ErrRefused, err)
		}
		return Identity{}, fmt.Errorf("%w: code exchange: %v", ErrUnavailable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, fmt.Errorf("%w: no ID token", ErrRefused)
	}
	// The token's times are the provider's, checked against this
	// machine's clock (the verifier's default).
	idt, err := op.VerifierContext(ctx, &gooidc.Config{ClientID: p.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: ID token: %v", ErrRefused, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return Identity{}, fmt.Errorf("%w: the ID token's nonce is not this flow's", ErrRefused)
	}
	var c claims
	if err := idt.Claims(&c); err != nil {
		return Identity{}, fmt.Errorf("%w: ID token claims: %v", ErrRefused, err)
	}
	if c.Email == "" {
		// Many providers put the email in the userinfo only.
		ui, err := op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return Identity{}, fmt.Errorf("%w: userinfo: %v", ErrUnavailable, err)
		}
		if ui.Subject != idt.Subject {
			return Identity{}, fmt.Errorf("%w: the userinfo is another subject's", ErrRefused)
		}
		if err := ui.Claims(&c); err != nil {
			return Identity{}, fmt.Errorf("%w: userinfo claims: %v", ErrRefused, err)
		}
	}
	return Identity{Subject: idt.Subject, Email: c.Email, EmailVerified: bool(c.EmailVerified)}, nil
}

type claims struct {
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
}

// flexBool reads a JSON boolean, or one written as a string ("true"), as
// some providers send email_verified; anything else is false.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case bool:
		*b = flexBool(x)
	case string:
		t, _ := strconv.ParseBool(x)
		*b = flexBool(t)
	default:
		*b = false
	}
	return nil
}
