// Package metrics holds Partnerdesk's Prometheus metrics: one registry, the
// collectors the web layer, the daily refresh and the ingest doors update,
// and the handler that serves them (on a listener of its own, never the
// public one). A nil *Metrics is valid and records nothing, so tests and
// commands that serve no metrics pass nil.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "partnerdesk"

// Metrics is the registry and its collectors.
type Metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	refreshDuration    prometheus.Gauge
	refreshLastSuccess prometheus.Gauge
	refreshFailures    prometheus.Counter
	refreshEvents      prometheus.Counter
	refreshPartners    prometheus.Gauge

	ingestBatches    *prometheus.CounterVec
	ingestRecords    *prometheus.CounterVec
	ingestRejections *prometheus.CounterVec

	signIns *prometheus.CounterVec

	deliveries *prometheus.CounterVec
}

// New makes the registry, with the Go runtime's and the process's
// collectors, and the build's version as partnerdesk_build_info.
func New(version string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "build_info",
		Help: "The running build: always 1, with its version as a label."}, []string{"version"})
	build.WithLabelValues(version).Set(1)
	f(build)

	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests answered, by route pattern, method and status."}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route pattern and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"route", "method"})
	f(m.requests)
	f(m.latency)

	m.refreshDuration = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Subsystem: "refresh", Name: "duration_seconds",
		Help: "How long the last daily refresh took."})
	m.refreshLastSuccess = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Subsystem: "refresh", Name: "last_success_timestamp_seconds",
		Help: "When the last daily refresh that succeeded ended (Unix time)."})
	m.refreshFailures = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Subsystem: "refresh", Name: "failures_total",
		Help: "Daily refreshes that failed."})
	m.refreshEvents = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Subsystem: "refresh", Name: "events_read_total",
		Help: "Billing events read by daily refreshes."})
	m.refreshPartners = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Subsystem: "refresh", Name: "partners_evaluated",
		Help: "Partners whose tier the last daily refresh evaluated."})
	f(m.refreshDuration)
	f(m.refreshLastSuccess)
	f(m.refreshFailures)
	f(m.refreshEvents)
	f(m.refreshPartners)

	m.ingestBatches = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "ingest", Name: "batches_total",
		Help: "Batches received, by door (api, csv, stripe) and outcome (applied, rejected, dry_run)."}, []string{"door", "outcome"})
	m.ingestRecords = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "ingest", Name: "records_total",
		Help: "Records of applied batches, by door."}, []string{"door"})
	m.ingestRejections = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "ingest", Name: "rejected_records_total",
		Help: "Problems found in rejected batches (a record may have several), by door."}, []string{"door"})
	f(m.ingestBatches)
	f(m.ingestRecords)
	f(m.ingestRejections)

	m.signIns = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "sign_in_attempts_total",
		Help: "Sign-in attempts, by outcome (success, failure, limited, busy)."}, []string{"outcome"})
	f(m.signIns)
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "outbox", Name: "deliveries_total",
		Help: "Email delivery attempts of this process, by outcome (sent, retried, failed)."}, []string{"outcome"})
	f(m.deliveries)
	// Every series is there from the start, at 0, so that a rate or an
	// alert on it works before the first event.
	for _, door := range []string{DoorAPI, DoorCSV, DoorStripe} {
		for _, outcome := range []string{"applied", "rejected", "dry_run"} {
			m.ingestBatches.WithLabelValues(door, outcome)
		}
		m.ingestRecords.WithLabelValues(door)
		m.ingestRejections.WithLabelValues(door)
	}
	for _, o := range []string{SignInSuccess, SignInFailure, SignInLimited, SignInBusy} {
		m.signIns.WithLabelValues(o)
	}
	for _, o := range []string{DeliverySent, DeliveryRetried, DeliveryFailed} {
		m.deliveries.WithLabelValues(o)
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Register adds a collector of another package (the outbox's, say).
func (m *Metrics) Register(c prometheus.Collector) error {
	if m == nil {
		return nil
	}
	return m.reg.Register(c)
}

// DBPool exports a connection pool's statistics, named by pool ("read",
// "write").
func (m *Metrics) DBPool(name string, db *sql.DB) {
	if m == nil {
		return
	}
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// Request records one answered HTTP request. route is the pattern that
// matched ("GET /partners/{partner}/clients"), never the path, so that ids
// do not make a series each.
func (m *Metrics) Request(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// Refresh records a daily refresh that ended at end.
func (m *Metrics) Refresh(d time.Duration, events int64, partners int, end time.Time, err error) {
	if m == nil {
		return
	}
	m.refreshDuration.Set(d.Seconds())
	if err != nil {
		m.refreshFailures.Inc()
		return
	}
	m.refreshLastSuccess.Set(float64(end.Unix()))
	m.refreshEvents.Add(float64(events))
	m.refreshPartners.Set(float64(partners))
}

// Ingest doors.
const (
	DoorAPI    = "api"
	DoorCSV    = "csv"
	DoorStripe = "stripe"
)

// Ingest records one batch through door: applied (records written or
// unchanged), rejected (with its number of problems), or a dry run.
func (m *Metrics) Ingest(door string, records int, problems int, dryRun bool) {
	if m == nil {
		return
	}
	switch {
	case problems > 0:
		m.ingestBatches.WithLabelValues(door, "rejected").Inc()
		m.ingestRejections.WithLabelValues(door).Add(float64(problems))
	case dryRun:
		m.ingestBatches.WithLabelValues(door, "dry_run").Inc()
	default:
		m.ingestBatches.WithLabelValues(door, "applied").Inc()
		m.ingestRecords.WithLabelValues(door).Add(float64(records))
	}
}

// Sign-in outcomes.
const (
	SignInSuccess = "success"
	SignInFailure = "failure"
	SignInLimited = "limited"
	SignInBusy    = "busy"
)

// SignIn records one sign-in attempt's outcome.
func (m *Metrics) SignIn(outcome string) {
	if m == nil {
		return
	}
	m.signIns.WithLabelValues(outcome).Inc()
}

// Outcomes of an email delivery attempt.
const (
	DeliverySent    = "sent"
	DeliveryRetried = "retried"
	DeliveryFailed  = "failed"
)

// OutboxDelivery records one delivery attempt's outcome.
func (m *Metrics) OutboxDelivery(outcome string) {
	if m == nil {
		return
	}
	m.deliveries.WithLabelValues(outcome).Inc()
}

// Outbox exports the number of messages in the outbox by status
// (queued, sent, failed), which count reads from the database at each
// scrape: every server sharing the database reports the same figures.
func (m *Metrics) Outbox(count func(ctx context.Context) (map[string]int64, error)) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&outboxCollector{count: count, desc: prometheus.NewDesc(namespace+"_outbox_messages",
		"Messages in the outbox, by status (queued, sent, failed).", []string{"status"}, nil)})
}

type outboxCollector struct {
	count func(ctx context.Context) (map[string]int64, error)
	desc  *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.count(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for status, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), status)
	}
}
