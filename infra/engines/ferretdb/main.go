// Command ferretdb runs embeddable FerretDB v1 with the SQLite backend for T1 Support dev/test setups.
//
// Built by infra/engines/ferretdb/__init__.py; the embeddable package avoids the version.txt panic
// of `go install github.com/FerretDB/FerretDB/cmd/ferretdb`.
package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // served only with -debug-addr
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	listen := flag.String("listen-addr", envOr("FERRETDB_LISTEN_ADDR", "127.0.0.1:27017"), "TCP listen address")
	dir := flag.String("sqlite-dir", envOr("FERRETDB_SQLITE_DIR", "sqlite"), "directory for SQLite database files")
	// WAL with synchronous=normal: a commit no longer waits for fsync (durable across process crashes,
	// not power loss); every single-document write otherwise costs a disk flush. A checkpoint every
	// 20,000 WAL pages instead of 1,000: every document write is its own transaction, and frequent
	// checkpoints copied the same hot pages again and again (10% of FerretDB's CPU under load). The log
	// is copied in the background every 2 s (walcheckpoint.go), so that limit is only a backstop.
	pragmas := flag.String("sqlite-pragmas", envOr("FERRETDB_SQLITE_PRAGMAS", "_pragma=synchronous(normal)&_pragma=wal_autocheckpoint(20000)"), "SQLite URI query (pragmas)")
	debug := flag.String("debug-addr", envOr("FERRETDB_DEBUG_ADDR", ""), "serve Go's /debug/pprof on this address (empty: off)")
	level := flag.String("log-level", envOr("FERRETDB_LOG_LEVEL", "error"), "FerretDB log level: debug, info, warn, error")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil)) // our own lines, always at info
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		logger.Error("log level", "error", err)
		os.Exit(2)
	}

	abs, err := filepath.Abs(*dir)
	if err == nil {
		err = os.MkdirAll(abs, 0o755)
	}
	if err != nil {
		logger.Error("sqlite dir", "error", err)
		os.Exit(1)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    slog.New(newLazyAttrs(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))),
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Path: abs + "/", RawQuery: *pragmas}).String(),
	})
	if err != nil {
		logger.Error("start", "error", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if err := dropObsoleteIDIndexes(ctx, abs, logger); err != nil {
		logger.Warn("obsolete id indexes", "error", err)
	}
	go keepWALCopied(ctx, abs, 2*time.Second, logger)
	if *debug != "" {
		go func() { logger.Error("debug server", "error", http.ListenAndServe(*debug, nil)) }()
	}

	logger.Info("listening", "addr", *listen, "sqlite", abs)
	if err := f.Run(ctx); err != nil {
		logger.Error("run", "error", err)
		os.Exit(1)
	}
	logger.Info("stopped")
}
