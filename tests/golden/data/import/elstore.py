"""elstore.py — decode a dataset column straight from an equitylens SQLite
store, independently of the program (owner: import; used by the golden tests).

Layout 2 (dataset_segments): one row per field per chunk, each with its own
dictionary; the global dictionary is the segments' dictionaries merged in
order (first-seen order), exactly as el_store_load does. Layout 1
(dataset_chunks + dataset_dicts, stores written before the streaming import)
is still read.

column(con, dsid, field) -> list of int32 values (TEXT/CODE: global dictionary
indices; NA = -2**31), [] when the column has no storage.
dictionary(con, dsid, field) -> list of str, index order."""
import struct

NA = -2**31


def _segments(con, dsid, field):
    return con.execute("SELECT row0, nrows, nstrings, data, dict FROM dataset_segments"
                       " WHERE dataset_id=? AND field=? ORDER BY segment", (dsid, field)).fetchall()


def _layout2(con, dsid):
    return con.execute("SELECT EXISTS(SELECT 1 FROM dataset_segments WHERE dataset_id=?)", (dsid,)).fetchone()[0]


def _decode(con, dsid, field):
    nrows = con.execute("SELECT nrows FROM datasets WHERE id=?", (dsid,)).fetchone()[0]
    glob, index = [], {}
    vals, any_rows = [NA] * nrows, False
    for row0, nr, ns, data, dct in _segments(con, dsid, field):
        remap = []
        for s in dct.split(b'\0')[:ns]:
            if s not in index:
                index[s] = len(glob)
                glob.append(s)
            remap.append(index[s])
        raw = struct.unpack('<%di' % nr, data)
        if nr:
            any_rows = True
        vals[row0:row0 + nr] = [v if (v == NA or not ns) else remap[v] for v in raw]
    return (vals if any_rows else []), [s.decode() for s in glob]


def column(con, dsid, field):
    if _layout2(con, dsid):
        return _decode(con, dsid, field)[0]
    b = b"".join(x for (x,) in con.execute(
        "SELECT data FROM dataset_chunks WHERE dataset_id=? AND field=? ORDER BY chunk", (dsid, field)))
    return list(struct.unpack('<%di' % (len(b) // 4), b))


def dictionary(con, dsid, field):
    if _layout2(con, dsid):
        return _decode(con, dsid, field)[1]
    out = []
    for ns, b in con.execute("SELECT nstrings, data FROM dataset_dicts WHERE dataset_id=? AND field=? ORDER BY chunk",
                             (dsid, field)):
        out += [s.decode() for s in b.split(b'\0')[:ns]]
    return out
