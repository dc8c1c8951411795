package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary doubles as the partnerdesk command: with commandEnv set,
// TestMain runs main, so that tests start servers and imports as processes
// of their own, to remove their database under them or run them as
// another user.
const commandEnv = "PARTNERDESK_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(commandEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// command is the partnerdesk command line args, as a process.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), commandEnv+"=1")
	return cmd
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// server is "partnerdesk serve" running in a process of its own.
type server struct {
	url    string
	stderr *lockedBuffer
}

// startServe starts "partnerdesk serve" on dsn, on a free port, and stops
// it when t ends.
func startServe(t testing.TB, dsn string) *server {
	t.Helper()
	cmd := command("serve", "--database-url", dsn, "--addr", "127.0.0.1:0", "--log-level", "debug")
	s := &server{stderr: &lockedBuffer{}}
	cmd.Stderr = s.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "Open "); ok {
				found <- strings.TrimSuffix(u, "/")
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case s.url = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start:\n%s", s.stderr)
	}
	return s
}

// browser is an HTTP client of a server process: a cookie jar that does
// not follow redirects, or an API token.
type browser struct {
	srv   *server
	c     *http.Client
	token string
}

func (s *server) client(token string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{srv: s, token: token, c: &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// answer is a response, read whole, and how long it took.
type answer struct {
	status int
	header http.Header
	body   string
	took   time.Duration
}

func (b *browser) do(t testing.TB, method, path, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, b.srv.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	start := time.Now()
	res, err := b.c.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return answer{took: time.Since(start)}
	}
	defer res.Body.Close()
	text, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: string(text), took: time.Since(start)}
}

func (b *browser) get(t testing.TB, path string) answer { return b.do(t, "GET", path, "", "") }

func (b *browser) postJSON(t testing.TB, path, body string) answer {
	return b.do(t, "POST", path, "application/json", body)
}

// signIn posts the sign-in form with the CSRF cookie the form set.
func (b *browser) signIn(t testing.TB, email, password string) answer {
	t.Helper()
	b.get(t, "/login")
	base, _ := url.Parse(b.srv.url)
	csrf := ""
	for _, c := range b.c.Jar.Cookies(base) {
		if c.Name == "pd_csrf" {
			csrf = c.Value
		}
	}
	form := url.Values{"email": {email}, "password": {password}, "csrf": {csrf}}
	return b.do(t, "POST", "/login", "application/x-www-form-urlencoded", form.Encode())
}
