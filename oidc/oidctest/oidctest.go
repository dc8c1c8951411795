// Package oidctest runs a real OpenID Connect provider for tests: the
// example provider of github.com/zitadel/oidc (its op package, with the
// example's in-memory storage and username-and-password login page),
// listening on loopback, with the users a test gives it. Only tests import
// it.
package oidctest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/text/language"
)

// User is an account at the provider; it signs in with its email and
// Password.
type User struct {
	Email         string
	EmailVerified bool
	Password      string
}

// Provider is a running provider with one registered client.
type Provider struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	server       *httptest.Server
}

// Start runs a provider whose client may send browsers back to
// redirectURI only, with users. It stops when t ends.
func Start(t testing.TB, redirectURI string, users ...User) *Provider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{Issuer: "http://" + ln.Addr().String(), ClientID: "partnerdesk", ClientSecret: "client-secret-for-tests"}
	us := userStore{}
	for i, u := range users {
		id := "user-" + string(rune('a'+i))
		us[id] = &storage.User{ID: id, Username: u.Email, Password: u.Password, FirstName: "Test", LastName: u.Email,
			Email: u.Email, EmailVerified: u.EmailVerified, PreferredLanguage: language.English}
	}
	clients := map[string]*storage.Client{p.ClientID: storage.WebClient(p.ClientID, p.ClientSecret, redirectURI)}
	router := exampleop.SetupServer(p.Issuer, storage.NewStorageWithClients(us, clients), nil, false)
	p.server = &httptest.Server{Listener: ln, Config: &http.Server{Handler: router}}
	p.server.Start()
	t.Cleanup(p.server.Close)
	return p
}

// Close stops the provider (to test one that cannot be reached).
func (p *Provider) Close() { p.server.Close() }

type userStore map[string]*storage.User

func (u userStore) GetUserByID(id string) *storage.User { return u[id] }
func (u userStore) ExampleClientID() string             { return "service" }
func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}

var (
	formAction = regexp.MustCompile(`<form method="POST" action="([^"]+)"`)
	requestID  = regexp.MustCompile(`name="id" value="([^"]+)"`)
)

// LogIn fills in the provider's login page, loginPage (at pageURL), as a
// browser would, and returns the request that posts it.
func LogIn(pageURL *url.URL, loginPage, email, password string) (*http.Request, bool) {
	a, id := formAction.FindStringSubmatch(loginPage), requestID.FindStringSubmatch(loginPage)
	if a == nil || id == nil {
		return nil, false
	}
	to, err := pageURL.Parse(a[1])
	if err != nil {
		return nil, false
	}
	form := url.Values{"id": {id[1]}, "username": {email}, "password": {password}}
	req, err := http.NewRequest("POST", to.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, false
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, true
}
