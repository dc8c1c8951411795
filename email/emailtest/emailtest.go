// Package emailtest runs a real SMTP server inside a test (emersion's
// go-smtp, the server half of a maintained SMTP library) and keeps the
// messages it accepts, parsed as a mail client reads them. A server can
// be down (its address reserved, nothing listening) and come up later on
// the same address, offer STARTTLS or speak TLS from the start, require
// a password, and refuse chosen recipients.
package emailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options shape a server.
type Options struct {
	// STARTTLS offers STARTTLS, with a certificate for 127.0.0.1 that
	// ClientTLS trusts; ImplicitTLS speaks TLS from the first byte.
	STARTTLS, ImplicitTLS bool
	// User and Password, when set, are required (AUTH PLAIN).
	User, Password string
	// Refuse answers RCPT TO for the addresses it returns an error for.
	Refuse func(to string) error
}

// Received is a message the server accepted.
type Received struct {
	From string
	To   []string
	Raw  []byte
	// Header is the message's header; Text and HTML its two parts, as
	// a client decodes them.
	Header     mail.Header
	Text, HTML string
	// PartTypes are the parts' content types, in order.
	PartTypes []string
	// Auth is the user that signed in for it ("" for none); TLS says
	// whether the session was encrypted.
	Auth string
	TLS  bool
}

// Server is an SMTP server for one test.
type Server struct {
	Addr      string
	ClientTLS *tls.Config // trusts the server's certificate
	opts      Options
	t         testing.TB
	cert      tls.Certificate

	mu   sync.Mutex
	msgs []Received
	srv  *smtp.Server
}

// Start starts a server, listening.
func Start(t testing.TB, opts Options) *Server {
	s := Down(t, opts)
	s.Up()
	return s
}

// Down reserves an address for a server that is not up yet: connecting
// to it is refused until Up.
func Down(t testing.TB, opts Options) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), opts: opts, t: t}
	s.cert, s.ClientTLS = certificate(t)
	ln.Close()
	t.Cleanup(s.Stop)
	return s
}

// Up starts listening on the server's address.
func (s *Server) Up() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.AllowInsecureAuth = !s.opts.STARTTLS && !s.opts.ImplicitTLS
	srv.ErrorLog = log.New(io.Discard, "", 0)
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{s.cert}}
	if s.opts.STARTTLS {
		srv.TLSConfig = tlsCfg
	}
	var ln net.Listener
	var err error
	for range 50 { // the address was just let go: the system may hold it a moment
		if ln, err = net.Listen("tcp", s.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("SMTP server up again on %s: %v", s.Addr, err)
	}
	if s.opts.ImplicitTLS {
		ln = tls.NewListener(ln, tlsCfg)
	}
	s.srv = srv
	go srv.Serve(ln)
}

// Stop takes the server down: connections are refused from now on.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		s.srv.Close()
		s.srv = nil
	}
}

// URL is the server's address as Partnerdesk's --smtp-url names it.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr}
	if s.opts.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.opts.User != "" {
		u.User = url.UserPassword(s.opts.User, s.opts.Password)
	}
	return u.String()
}

// Messages are the messages accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// WaitFor waits up to timeout for n messages in all and returns them.
func (s *Server) WaitFor(n int, timeout time.Duration) []Received {
	s.t.Helper()
	// A wait for the network: the real clock, whatever the fixture's day.
	deadline := time.Now().Add(timeout)
	for {
		ms := s.Messages()
		if len(ms) >= n || time.Now().After(deadline) {
			if len(ms) < n {
				s.t.Fatalf("SMTP server got %d messages in %s, want %d", len(ms), timeout, n)
			}
			return ms
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type session struct {
	s    *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (se *session) AuthMechanisms() []string {
	if se.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != se.s.opts.User || pass != se.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		se.user = user
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.opts.User != "" && se.user == "" {
		return smtp.ErrAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if se.s.opts.Refuse != nil {
		if err := se.s.opts.Refuse(to); err != nil {
			return err
		}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, encrypted := se.conn.TLSConnectionState()
	m := Received{From: se.from, To: se.to, Raw: raw, Auth: se.user, TLS: encrypted}
	if err := parse(&m); err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unreadable message: " + err.Error()}
	}
	se.s.mu.Lock()
	se.s.msgs = append(se.s.msgs, m)
	se.s.mu.Unlock()
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

// parse reads the message as a client does: the header, then each part of
// a multipart/alternative body, decoded.
func parse(m *Received) error {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return err
	}
	m.Header = msg.Header
	typ, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	if typ != "multipart/alternative" {
		return errors.New("not multipart/alternative: " + typ)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart() // decodes quoted-printable
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return err
		}
		ct := p.Header.Get("Content-Type")
		m.PartTypes = append(m.PartTypes, ct)
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			m.Text = string(b)
		case strings.HasPrefix(ct, "text/html"):
			m.HTML = string(b)
		}
	}
}

// certificate makes a self-signed certificate for 127.0.0.1 and
// localhost, and a client configuration that trusts it.
func certificate(t testing.TB) (tls.Certificate, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// The TLS handshake checks the certificate against the real clock,
	// never the program's injected one: its validity is the real clock's.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, &tls.Config{RootCAs: pool}
}
