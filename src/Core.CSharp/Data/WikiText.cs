// WikiText.cs: WikiText-2 — finding data/wikitext-2, checking each file's sha256, the PyTorch word_language_model tokenisation, a per-process cache.
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace GenDsl.Data;

/// <summary>The three files of WikiText-2 (train.txt, valid.txt, test.txt).</summary>
public enum WikiTextSplit { Train, Valid, Test }

/// <summary>
/// Locates, checks and tokenises WikiText-2 (CSE 599i HW1 P8's corpus). The repository ships it as
/// data/wikitext-2/{train,valid,test}.txt.gz (see its SOURCE.md for provenance and the CC BY-SA 3.0 credit);
/// plain .txt files are read too. Every file's decompressed text must have the sha256 below, the one of
/// PyTorch's word_language_model files, so a damaged or different copy is refused before any count is made.
/// </summary>
public static class WikiText
{
    public const string EnvVar = "GENDSL_WIKITEXT";
    private static readonly string Rel = Path.Combine("data", "wikitext-2");

    /// <summary>sha256 of the decompressed train.txt, valid.txt and test.txt (data/wikitext-2/SOURCE.md, "Checksums").</summary>
    public static readonly IReadOnlyDictionary<WikiTextSplit, string> Sha256 = new Dictionary<WikiTextSplit, string>
    {
        [WikiTextSplit.Train] = "9e9fa1ad55b1c2c95b08e37dd8e653f638fac2c6de904b79e813611eefbc985f",
        [WikiTextSplit.Valid] = "f0737ed31fc1329026e95cb8b98e19c2a182c39c240ab909dc31abf2f8af58e8",
        [WikiTextSplit.Test] = "d790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0",
    };

    /// <summary>The file name of a split without extension: train, valid, test.</summary>
    public static string FileStem(WikiTextSplit split) => split switch
    {
        WikiTextSplit.Train => "train",
        WikiTextSplit.Valid => "valid",
        WikiTextSplit.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "WikiTextSplit is Train, Valid or Test"),
    };

    /// <summary>
    /// The WikiText-2 folder: <paramref name="folder"/> when given, else $GENDSL_WIKITEXT, else the first data/wikitext-2
    /// above the current directory or above AppContext.BaseDirectory (so tests and tools run from bin/ find the repository's copy).
    /// Only the folder is located here; <see cref="Load"/> says which file in it is missing or wrong.
    /// </summary>
    public static string FindFolder(string? folder = null)
    {
        if (folder is not null)
            return Directory.Exists(folder) ? Path.GetFullPath(folder)
                : throw new DirectoryNotFoundException($"WikiText-2: the folder given, '{Path.GetFullPath(folder)}', does not exist");
        var env = Environment.GetEnvironmentVariable(EnvVar);
        if (!string.IsNullOrEmpty(env))
            return Directory.Exists(env) ? Path.GetFullPath(env)
                : throw new DirectoryNotFoundException($"WikiText-2: ${EnvVar} = '{env}' is not a folder; point it at a folder holding train.txt(.gz), valid.txt(.gz), test.txt(.gz)");
        var looked = new List<string>();
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = start; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                var candidate = Path.Combine(dir, Rel);
                looked.Add(candidate);
                if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
            }
        throw new DirectoryNotFoundException(
            $"WikiText-2 not found: no {Rel} above the current directory or the program, and ${EnvVar} is not set. Looked in:\n  "
            + string.Join("\n  ", looked.Distinct())
            + $"\nRun from inside the repository (it ships {Rel}), or set ${EnvVar} to a folder holding train.txt.gz, valid.txt.gz, test.txt.gz (or the .txt files).");
    }

    /// <summary>
    /// The path of a split's file in <paramref name="folder"/> (the .txt.gz, else the .txt); throws FileNotFoundException
    /// naming the split's file when neither exists.
    /// </summary>
    public static string FilePath(string folder, WikiTextSplit split)
    {
        var stem = Path.Combine(folder, FileStem(split) + ".txt");
        if (File.Exists(stem + ".gz")) return stem + ".gz";
        if (File.Exists(stem)) return stem;
        throw new FileNotFoundException(
            $"WikiText-2: '{folder}' has no {FileStem(split)}.txt.gz or {FileStem(split)}.txt (the {split} split); restore it with " +
            "`git checkout -- data/wikitext-2` or copy the PyTorch word_language_model file there", stem + ".gz");
    }

    /// <summary>
    /// The text of one split, decompressed when gzipped, after checking its sha256 against <see cref="Sha256"/>;
    /// throws InvalidDataException naming the file and both hashes when they differ.
    /// </summary>
    public static string ReadChecked(string folder, WikiTextSplit split)
    {
        var path = FilePath(folder, split);
        byte[] bytes;
        try
        {
            using var file = File.OpenRead(path);
            using Stream s = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            bytes = ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"WikiText-2: '{path}' is not a valid gzip file ({e.Message}); restore it with `git checkout -- data/wikitext-2`", e);
        }
        var hash = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        if (hash != Sha256[split])
            throw new InvalidDataException(
                $"WikiText-2: '{path}' (the {split} split) has the wrong content: the sha256 of its text is {hash}, expected {Sha256[split]} " +
                "(PyTorch word_language_model's file, see data/wikitext-2/SOURCE.md); restore it with `git checkout -- data/wikitext-2`");
        return new UTF8Encoding(false, true).GetString(bytes);
    }

    private static readonly Dictionary<string, WikiTextCorpus> cache = new();

    /// <summary>
    /// The corpus of the folder <see cref="FindFolder"/> gives: each file checked, tokenised as PyTorch's word_language_model
    /// (<see cref="WikiTextCorpus.FromTexts"/>). Read once per process and folder, then shared (the corpus is immutable).
    /// </summary>
    public static WikiTextCorpus Load(string? folder = null)
    {
        var dir = FindFolder(folder);
        lock (cache)
        {
            if (cache.TryGetValue(dir, out var c)) return c;
            var corpus = WikiTextCorpus.FromTexts(
                ReadChecked(dir, WikiTextSplit.Train), ReadChecked(dir, WikiTextSplit.Valid), ReadChecked(dir, WikiTextSplit.Test));
            cache[dir] = corpus;
            return corpus;
        }
    }
}

/// <summary>
/// A tokenised corpus: the vocabulary (id -> word) and the token ids of train, valid and test.
/// Tokenisation of PyTorch's examples/word_language_model (data.py, Corpus.tokenize): each line of a file (universal
/// newlines: \r\n and \r count as \n; a last line without \n still counts) is split on runs of whitespace and one
/// "&lt;eos&gt;" is appended, so an empty line is the single token &lt;eos&gt;. Ids are given in order of first appearance
/// in train: the vocabulary is the training split's, and a word of valid or test that train lacks becomes &lt;unk&gt;
/// (added after train's words when train has none). data.py adds the words of all three; on WikiText-2 the two agree,
/// since its valid and test add no word, while on another corpus data.py would give test words the model never trained.
/// WikiText-2 gives 33,278 types and 2,088,628 / 217,646 / 245,569 tokens, and id 0 is &lt;eos&gt; (train.txt starts
/// with a blank line).
/// </summary>
public sealed class WikiTextCorpus
{
    public const string Eos = "<eos>", Unk = "<unk>";
    private readonly Dictionary<string, int> ids;
    private readonly string[] words;
    private readonly int[][] tokens;

    private WikiTextCorpus(Dictionary<string, int> ids, string[] words, int[][] tokens) => (this.ids, this.words, this.tokens) = (ids, words, tokens);

    /// <summary>Tokenises three texts as PyTorch's word_language_model does (see the class summary).</summary>
    public static WikiTextCorpus FromTexts(string train, string valid, string test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(valid);
        ArgumentNullException.ThrowIfNull(test);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var words = new List<string>();
        var trainIds = Tokenize(train, ids, words, grow: true);
        var streams = new[] { trainIds, Tokenize(valid, ids, words, grow: false), Tokenize(test, ids, words, grow: false) };
        return new WikiTextCorpus(ids, words.ToArray(), streams);
    }

    /// <summary>Token ids of a text; grow: new words get new ids (train), else they become &lt;unk&gt;.</summary>
    private static int[] Tokenize(string text, Dictionary<string, int> ids, List<string> words, bool grow)
    {
        var result = new List<int>(text.Length / 4);
        foreach (var line in Lines(text))
        {
            foreach (var w in SplitWords(line)) result.Add(Id(w));
            result.Add(Id(Eos));
        }
        return result.ToArray();

        int Id(string w) =>
            ids.TryGetValue(w, out var id) ? id
            : grow ? New(w)
            : ids.TryGetValue(Unk, out var unk) ? unk : New(Unk);

        int New(string w)
        {
            ids[w] = words.Count;
            words.Add(w);
            return words.Count - 1;
        }
    }

    /// <summary>
    /// Python's <c>str.split()</c>: runs of whitespace separate words, where whitespace is .NET's char.IsWhiteSpace plus
    /// U+001C..U+001F (which Python's str.isspace also counts).
    /// </summary>
    public static IEnumerable<string> SplitWords(string line)
    {
        var start = -1;
        for (var i = 0; i <= line.Length; i++)
        {
            var space = i == line.Length || char.IsWhiteSpace(line[i]) || line[i] is >= '\x1c' and <= '\x1f';
            if (!space && start < 0) start = i;
            else if (space && start >= 0)
            {
                yield return line[start..i];
                start = -1;
            }
        }
    }

    /// <summary>Python's text-mode line iteration: \r\n and \r become \n; no extra empty line after a final \n.</summary>
    private static IEnumerable<string> Lines(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\n' && c != '\r') continue;
            yield return text[start..i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < text.Length) yield return text[start..];
    }

    /// <summary>The number of word types (33,278 for WikiText-2, &lt;eos&gt; included).</summary>
    public int VocabSize => words.Length;

    /// <summary>id -> word.</summary>
    public IReadOnlyList<string> Words => words;

    /// <summary>The id of <paramref name="word"/>; KeyNotFoundException when it is not in the vocabulary.</summary>
    public int IdOf(string word) => ids.TryGetValue(word, out var id) ? id
        : throw new KeyNotFoundException($"WikiText: '{word}' is not in the {VocabSize}-word vocabulary (WikiText-2 spells rare words <unk>)");

    public bool TryGetId(string word, out int id) => ids.TryGetValue(word, out id);

    /// <summary>The token ids of a split, in order (a copy-free view: do not modify).</summary>
    public int[] Tokens(WikiTextSplit split) => tokens[(int)split];

    /// <summary>
    /// Ids of a prompt: words split as <see cref="SplitWords"/> (no &lt;eos&gt; appended); a word outside the vocabulary becomes &lt;unk&gt;
    /// when the vocabulary has it, else it is an error.
    /// </summary>
    public long[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hasUnk = ids.TryGetValue(Unk, out var unk);
        return SplitWords(text)
            .Select(w => ids.TryGetValue(w, out var id) ? id : hasUnk ? unk : IdOf(w)).Select(i => (long)i).ToArray();
    }

    /// <summary>The words of <paramref name="ids"/> joined by spaces.</summary>
    public string Decode(IEnumerable<long> ids) =>
        string.Join(' ', ids.Select(i => i >= 0 && i < words.Length ? words[i]
            : throw new ArgumentOutOfRangeException(nameof(ids), i, $"WikiText: token id {i} is outside the vocabulary [0, {words.Length})")));
}
