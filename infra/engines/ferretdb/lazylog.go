package main

// FerretDB v1 logs every SQL statement it runs at debug level as `l.With(slog.Any("args", args))
// .DebugContext(...)`. slog's text handler formats the attributes of With right away, whether or not
// the level is enabled, so each inserted document was quoted rune by rune (strconv.Quote) only to be
// thrown away: 30% of FerretDB's CPU per inserted document (pprof, docs/performance.md). lazyAttrs
// keeps those attributes unformatted until a record is actually written.

import (
	"context"
	"log/slog"
	"slices"
)

type pendingStep struct {
	group string // a WithGroup step when attrs is nil
	attrs []slog.Attr
}

type lazyAttrs struct {
	base    slog.Handler
	pending []pendingStep
}

func newLazyAttrs(base slog.Handler) slog.Handler { return lazyAttrs{base: base} }

func (h lazyAttrs) Enabled(ctx context.Context, level slog.Level) bool {
	return h.base.Enabled(ctx, level)
}

func (h lazyAttrs) Handle(ctx context.Context, record slog.Record) error {
	handler := h.base
	for _, step := range h.pending {
		if step.attrs == nil {
			handler = handler.WithGroup(step.group)
		} else {
			handler = handler.WithAttrs(step.attrs)
		}
	}
	return handler.Handle(ctx, record)
}

func (h lazyAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return lazyAttrs{base: h.base, pending: append(slices.Clip(h.pending), pendingStep{attrs: slices.Clone(attrs)})}
}

func (h lazyAttrs) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return lazyAttrs{base: h.base, pending: append(slices.Clip(h.pending), pendingStep{group: name})}
}
