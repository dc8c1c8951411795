package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a buffer the server logs into while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// writeCert writes a self-signed certificate for 127.0.0.1 with the given
// serial number and returns its pool.
func writeCert(t *testing.T, certFile, keyFile string, serial int64) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "partnerdesk test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// serveForTest starts "partnerdesk serve" with args in the background and
// waits until addr answers; the server stops when the test ends.
func serveForTest(t *testing.T, addr string, args ...string) *syncBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, logs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", addr}, args...), strings.NewReader(""), &out, &logs)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, logs.String())
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return &logs
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before listening: %s %s", code, out.String(), logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if i > 400 {
			t.Fatalf("serve never listened on %s: %s", addr, logs.String())
		}
	}
}

// Served over TLS from its own certificate (reloaded on SIGHUP), with
// metrics on a listener of their own, JSON access logs naming the route,
// never the path, and request ids that come back and reach the log.
func TestServeTLSMetricsAndAccessLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pd.db")
	if code, _, errOut := runCmd(t, "migrate", "--database-url", path); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool := writeCert(t, certFile, keyFile, 1)
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	logs := serveForTest(t, addr, "--database-url", path, "--tls-cert", certFile, "--tls-key", keyFile,
		"--metrics-addr", metricsAddr, "--log-format", "json", "--trust-proxy")

	client := func(pool *x509.CertPool) *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	req, _ := http.NewRequest("GET", "https://"+addr+"/password/reset/SECRET-TOKEN?next=x", nil)
	req.Header.Set("X-Request-Id", "quote-me-123")
	res, err := client(pool).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("X-Request-Id") != "quote-me-123" || res.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("over TLS: request id %q, HSTS %q", res.Header.Get("X-Request-Id"), res.Header.Get("Strict-Transport-Security"))
	}
	if res.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "expired") {
		t.Errorf("a made-up reset link: %s\n%s", res.Status, body)
	}
	req, _ = http.NewRequest("GET", "https://"+addr+"/no/such/page", nil)
	req.Header.Set("X-Request-Id", "quote-me-456")
	if res, err = client(pool).Do(req); err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "quote-me-456") {
		t.Errorf("the error page does not show the request id:\n%s", body)
	}
	if res, err := http.Get("http://" + addr + "/healthz"); err == nil && res.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP on the TLS listener: %s", res.Status)
	}

	// The access log: one JSON line per request, the route not the path.
	if _, err := client(pool).Get("https://" + addr + "/healthz"); err != nil {
		t.Fatal(err)
	}
	var sawReset, sawMissing, sawHealth bool
	for _, line := range strings.Split(logs.String(), "\n") {
		if !strings.Contains(line, `"msg":"request"`) {
			continue
		}
		if strings.Contains(line, "SECRET-TOKEN") || strings.Contains(line, "next=") {
			t.Errorf("the access log holds the path or query: %s", line)
		}
		if strings.Contains(line, `"request_id":"quote-me-123"`) && strings.Contains(line, `"route":"GET /password/reset/{token}"`) {
			sawReset = true
		}
		if strings.Contains(line, `"request_id":"quote-me-456"`) && strings.Contains(line, `"route":"unmatched"`) {
			sawMissing = true
		}
		if strings.Contains(line, `"route":"GET /healthz"`) && strings.Contains(line, `"status":200`) &&
			strings.Contains(line, `"duration"`) && strings.Contains(line, `"bytes":3`) && strings.Contains(line, `"method":"GET"`) {
			sawHealth = true
		}
	}
	if !sawReset || !sawMissing || !sawHealth {
		t.Errorf("access log lines missing (reset %v, missing page %v, health %v):\n%s", sawReset, sawMissing, sawHealth, logs.String())
	}
	if !strings.Contains(logs.String(), `"version":"`) {
		t.Errorf("the start is not logged with the version:\n%s", logs.String())
	}

	// Metrics, on their own listener only.
	res, err = http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	scrape, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, name := range []string{
		`partnerdesk_build_info{version="`,
		`partnerdesk_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`,
		`partnerdesk_http_request_duration_seconds_bucket{method="GET",route="GET /healthz",le=`,
		`go_sql_open_connections{db_name="write"}`,
		`go_sql_open_connections{db_name="read"}`,
		"partnerdesk_refresh_last_success_timestamp_seconds",
		"partnerdesk_ingest_batches_total",
		"partnerdesk_sign_in_attempts_total",
		`partnerdesk_outbox_messages{status="queued"} 0`,
		`partnerdesk_outbox_deliveries_total{outcome="sent"} 0`,
	} {
		if !strings.Contains(string(scrape), name) && !strings.Contains(string(scrape), "# HELP "+name) {
			t.Errorf("metrics lack %s", name)
		}
	}
	if res, err := client(pool).Get("https://" + addr + "/metrics"); err == nil && res.StatusCode == http.StatusOK {
		t.Error("/metrics is served on the public listener")
	}

	// A new certificate, then SIGHUP: new connections get it.
	newPool := writeCert(t, certFile, keyFile, 2)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := client(newPool).Get("https://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reloaded certificate is not served: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "TLS certificate reloaded") {
		t.Error("the reload is not logged")
	}
}
