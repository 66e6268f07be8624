/**
 * What a watch's periodic BOOKMARK events carry besides their resourceVersion: the
 * interval, in ms, at which the server sends them. A client that hears neither events
 * nor bookmarks for well over that knows the stream is dead, however quiet the objects
 * it watches (server/watch/hub.ts sends them, client/watch.ts reads them).
 */
export const BOOKMARK_INTERVAL_ANNOTATION = 'kubeql.io/bookmark-interval-ms';
