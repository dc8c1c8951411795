// Command pdload is a small load generator for measuring Partnerdesk's
// pages against a running server: it signs in through the real form, sends
// a bounded number of requests from a few workers, and reports latency
// percentiles as the client saw them and as the server reported them in
// its Server-Timing header. It only targets loopback addresses.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server base URL (loopback only)")
	email := flag.String("email", "", "sign in as this user")
	pw := flag.String("password", "demo-password", "their password")
	paths := flag.String("path", "", "comma-separated paths to request in turn")
	n := flag.Int("n", 1000, "requests in all")
	c := flag.Int("c", 2, "concurrent workers")
	partial := flag.Bool("panel", false, "ask for the client panel alone (X-Partial: panel)")
	maxDur := flag.Duration("max", 2*time.Minute, "stop after this long whatever n says")
	flag.Parse()
	if err := run(*base, *email, *pw, strings.Split(*paths, ","), *n, *c, *partial, *maxDur); err != nil {
		fmt.Fprintln(os.Stderr, "pdload:", err)
		os.Exit(1)
	}
}

var csrfMeta = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

func run(base, email, pw string, paths []string, n, c int, partial bool, maxDur time.Duration) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address", u.Hostname())
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	res, err := client.Get(base + "/login")
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfMeta.FindSubmatch(body)
	if m == nil {
		return fmt.Errorf("no CSRF token on the sign-in page")
	}
	res, err = client.PostForm(base+"/login", url.Values{"email": {email}, "password": {pw}, "csrf": {string(m[1])}})
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if strings.HasSuffix(res.Request.URL.Path, "/login") {
		return fmt.Errorf("sign-in as %s failed (status %d)", email, res.StatusCode)
	}

	var mu sync.Mutex
	var client_, server []float64
	errors := 0
	next := make(chan int)
	deadline := time.Now().Add(maxDur)
	go func() {
		for i := 0; i < n && time.Now().Before(deadline); i++ {
			next <- i
		}
		close(next)
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				req, _ := http.NewRequest("GET", base+paths[i%len(paths)], nil)
				if partial {
					req.Header.Set("X-Partial", "panel")
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					mu.Lock()
					errors++
					mu.Unlock()
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				d := float64(time.Since(t0).Microseconds()) / 1000
				st := serverTiming(res.Header.Get("Server-Timing"))
				mu.Lock()
				if res.StatusCode != 200 {
					errors++
				} else {
					client_ = append(client_, d)
					server = append(server, st)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Printf("%d requests (%d errors) in %.1fs, %.0f req/s, %d workers\n", len(client_)+errors, errors, el.Seconds(), float64(len(client_))/el.Seconds(), c)
	fmt.Printf("client ms: %s\n", pct(client_))
	fmt.Printf("server ms: %s\n", pct(server))
	if errors > 0 {
		return fmt.Errorf("%d requests failed", errors)
	}
	return nil
}

func serverTiming(h string) float64 {
	i := strings.Index(h, "dur=")
	if i < 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(h[i+4:], 64)
	return v
}

func pct(xs []float64) string {
	if len(xs) == 0 {
		return "none"
	}
	slices.Sort(xs)
	at := func(p float64) float64 { return xs[int(p*float64(len(xs)-1))] }
	return fmt.Sprintf("p50 %.2f  p95 %.2f  p99 %.2f  max %.2f", at(.5), at(.95), at(.99), xs[len(xs)-1])
}
