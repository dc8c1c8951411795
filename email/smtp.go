package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"time"
)

// Sender delivers one built message to its recipients.
type Sender interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// SMTP sends through one SMTP server (the provider's relay), with the
// standard library's client.
type SMTP struct {
	addr        string // host:port
	host        string
	implicitTLS bool
	user, pass  string
	// TLS is the client's TLS configuration; nil verifies the server's
	// certificate against the system's roots. Tests set their own roots.
	TLS *tls.Config
	// Timeout bounds one delivery, from the connection to QUIT (default
	// 30 seconds).
	Timeout time.Duration
	// Hello is the name this client gives in EHLO (default "localhost").
	Hello string
}

// NewSMTP reads a server's URL: smtp://user:pass@host:587 speaks
// STARTTLS when the server offers it (port 587 by default), smtps://… TLS
// from the start (port 465 by default). User and password are optional,
// and sent only over TLS (or to localhost).
func NewSMTP(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return nil, errors.New("SMTP URL: want smtp://[USER:PASSWORD@]HOST[:PORT] or smtps://…")
	}
	s := &SMTP{host: u.Hostname(), implicitTLS: u.Scheme == "smtps"}
	port := u.Port()
	if port == "" {
		port = "587"
		if s.implicitTLS {
			port = "465"
		}
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	return s, nil
}

// Addr is the server's host:port, for logs (never the password).
func (s *SMTP) Addr() string { return s.addr }

// Send delivers msg to the recipients in one SMTP session.
func (s *SMTP) Send(ctx context.Context, from string, to []string, msg []byte) error {
	c, end, err := s.open(ctx, from)
	if err != nil {
		return serverError{err}
	}
	defer end()
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("SMTP RCPT TO %s: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	// The message is accepted; a failed QUIT changes nothing.
	c.Quit()
	return nil
}

// open connects, secures and signs in a session and names the sender;
// end ends it.
func (s *SMTP) open(ctx context.Context, from string) (c *smtp.Client, end func(), err error) {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	deadline, _ := ctx.Deadline()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.addr)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("connect to SMTP server %s: %w", s.addr, err)
	}
	// The deadline covers every read and write of the session; ctx's end
	// closes the connection.
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	closeAll := func() {
		stop()
		conn.Close()
		cancel()
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	cfg := s.tlsConfig()
	if s.implicitTLS {
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, nil, fmt.Errorf("TLS with SMTP server %s: %w", s.addr, err)
		}
		conn = tc
	}
	if c, err = smtp.NewClient(conn, s.host); err != nil {
		return nil, nil, fmt.Errorf("SMTP server %s: %w", s.addr, err)
	}
	hello := s.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return nil, nil, fmt.Errorf("SMTP server %s: %w", s.addr, err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !s.implicitTLS {
		if err := c.StartTLS(cfg); err != nil {
			return nil, nil, fmt.Errorf("STARTTLS with SMTP server %s: %w", s.addr, err)
		}
	}
	if s.user != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return nil, nil, fmt.Errorf("SMTP server %s offers no authentication, and the URL has a user", s.addr)
		}
		// PlainAuth refuses to send the password over a connection
		// without TLS, unless to localhost.
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return nil, nil, fmt.Errorf("sign in to SMTP server %s: %w", s.addr, err)
		}
	}
	if err := c.Mail(from); err != nil {
		return nil, nil, fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	return c, closeAll, nil
}

func (s *SMTP) tlsConfig() *tls.Config {
	if s.TLS != nil {
		cfg := s.TLS.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = s.host
		}
		return cfg
	}
	return &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
}

// serverError is a failure before the recipient is named (no connection,
// TLS, authentication, MAIL FROM): it concerns the server or the settings,
// so every message, however the server answered.
type serverError struct{ error }

func (e serverError) Unwrap() error { return e.error }

// Permanent reports whether a delivery failed for good: the server
// refused the recipient or the message with a 5xx code, which a retry
// would only repeat. Anything else may pass later: no connection, a 4xx,
// a timeout, or a server that refuses every message (a wrong password is
// fixed by its operator, and the messages then go).
func Permanent(err error) bool {
	var pe *textproto.Error
	return !ServerDown(err) && errors.As(err, &pe) && pe.Code >= 500 && pe.Code < 600
}

// ServerDown reports whether err concerns the server rather than the
// message, so that the messages after it wait too.
func ServerDown(err error) bool {
	var se serverError
	return errors.As(err, &se)
}
