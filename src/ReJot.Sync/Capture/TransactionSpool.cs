using System.Text;

namespace ReJot.Sync.Capture;

/// <summary>
/// The changes of one transaction, kept in memory up to a number of changes and an estimate of their size, then
/// spilled to a temporary file, so a transaction of any size needs bounded memory. Aborted subtransactions are
/// skipped on replay.
/// </summary>
internal sealed class TransactionSpool : IAsyncDisposable
{
    private readonly int _maxInMemory;
    private readonly long _maxInMemoryBytes;
    private readonly Func<uint, int, RelationInfo> _resolveRelation;
    private long _memoryBytes;
    private readonly List<CapturedChange> _memory = [];
    private HashSet<uint>? _abortedSubXids;
    private FileStream? _file;
    private BinaryWriter? _writer;

    public TransactionSpool(uint xid, int maxInMemory, Func<uint, int, RelationInfo> resolveRelation, long maxInMemoryBytes = long.MaxValue)
    {
        Xid = xid;
        _maxInMemory = Math.Max(1, maxInMemory);
        _maxInMemoryBytes = Math.Max(1, maxInMemoryBytes);
        _resolveRelation = resolveRelation;
    }

    public uint Xid { get; }

    public long Count { get; private set; }

    public bool Spilled => _file is not null;

    public void Add(CapturedChange change)
    {
        Count++;
        if (_writer is null && _memory.Count < _maxInMemory && _memoryBytes < _maxInMemoryBytes)
        {
            _memory.Add(change);
            _memoryBytes += EstimatedBytes(change);
            return;
        }

        if (_writer is null)
        {
            var path = Path.Combine(Path.GetTempPath(), $"rejot-spool-{Environment.ProcessId}-{Xid}-{Guid.NewGuid():N}.bin");
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            _writer = new BinaryWriter(_file, Encoding.UTF8, leaveOpen: true);
            foreach (var m in _memory)
            {
                Write(_writer, m);
            }

            _memory.Clear();
            _memoryBytes = 0;
        }

        Write(_writer, change);
    }

    /// <summary>Roughly what a change holds on the heap: its objects, and each value's characters (UTF-16).</summary>
    private static long EstimatedBytes(CapturedChange change) => 64 + EstimatedBytes(change.New) + EstimatedBytes(change.Old);

    private static long EstimatedBytes(RowImage? row)
    {
        if (row is null)
        {
            return 0;
        }

        long bytes = 48 + (8L * row.Values.Length);
        foreach (var value in row.Values)
        {
            if (value is not null)
            {
                bytes += 24 + (2L * value.Length);
            }
        }

        return bytes;
    }

    /// <summary>Transactional logical decoding messages of this transaction with the backfill prefix (chunk watermarks; small, kept in memory).</summary>
    public List<string>? BackfillMessages { get; private set; }

    public void AddBackfillMessage(string content) => (BackfillMessages ??= []).Add(content);

    public void AbortSubtransaction(uint subXid) => (_abortedSubXids ??= []).Add(subXid);

    /// <summary>Replays the changes in order (once).</summary>
    public IEnumerable<CapturedChange> Replay()
    {
        if (_writer is null)
        {
            foreach (var change in _memory)
            {
                if (_abortedSubXids is null || !_abortedSubXids.Contains(change.SubXid))
                {
                    yield return change;
                }
            }

            yield break;
        }

        _writer.Flush();
        _file!.Position = 0;
        using var reader = new BinaryReader(_file, Encoding.UTF8, leaveOpen: true);
        for (long i = 0; i < Count; i++)
        {
            var change = Read(reader);
            if (_abortedSubXids is null || !_abortedSubXids.Contains(change.SubXid))
            {
                yield return change;
            }
        }
    }

    private static void Write(BinaryWriter writer, CapturedChange change)
    {
        writer.Write((byte)change.Kind);
        writer.Write(change.Relation.Id);
        writer.Write(change.Relation.Version);
        writer.Write(change.SubXid);
        WriteRow(writer, change.New);
        WriteRow(writer, change.Old);
    }

    private static void WriteRow(BinaryWriter writer, RowImage? row)
    {
        if (row is null)
        {
            writer.Write(-1);
            return;
        }

        writer.Write(row.Values.Length);
        for (var i = 0; i < row.Values.Length; i++)
        {
            if (row.IsUnchangedToast(i))
            {
                writer.Write((byte)2);
            }
            else if (row.Values[i] is { } value)
            {
                writer.Write((byte)1);
                writer.Write(value);
            }
            else
            {
                writer.Write((byte)0);
            }
        }
    }

    private CapturedChange Read(BinaryReader reader)
    {
        var kind = (ChangeKind)reader.ReadByte();
        var relationId = reader.ReadUInt32();
        var version = reader.ReadInt32();
        var subXid = reader.ReadUInt32();
        var newRow = ReadRow(reader);
        var oldRow = ReadRow(reader);
        return new CapturedChange(kind, _resolveRelation(relationId, version), subXid, newRow, oldRow);
    }

    private static RowImage? ReadRow(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0)
        {
            return null;
        }

        var values = new string?[count];
        bool[]? unchanged = null;
        for (var i = 0; i < count; i++)
        {
            switch (reader.ReadByte())
            {
                case 1:
                    values[i] = reader.ReadString();
                    break;
                case 2:
                    (unchanged ??= new bool[count])[i] = true;
                    break;
            }
        }

        return new RowImage(values, unchanged);
    }

    public async ValueTask DisposeAsync()
    {
        _memory.Clear();
        _memoryBytes = 0;
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
    }
}
