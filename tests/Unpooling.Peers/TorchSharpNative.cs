using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Unpooling.Peers;

/// <summary>
/// Makes TorchSharp's native wrapper loadable on systems whose libstdc++ is older than the one it was linked against
/// (Debian 12: GCC 12's libstdc++ lacks <c>GLIBCXX_3.4.32</c>, which TorchSharp 0.107's <c>libLibTorchSharp.so</c>
/// names). Call <see cref="EnsureLoadable"/> before the first use of <c>TorchSharp.torch</c>.
/// </summary>
/// <remarks>
/// <para>The step acts only where needed: it first loads the wrapper as is. Only when the dynamic loader rejects it
/// for versions the system's <c>libstdc++.so.6</c> does not define does it mark exactly those needs weak
/// (<see cref="ElfVersionNeeds.MarkWeak"/>) in the copy in this program's build output (never the NuGet cache),
/// then loads again. Once loaded, TorchSharp's own load of the same path returns the same handle.</para>
/// <para>It is thread-safe and runs once per process. On Windows and macOS it does nothing.</para>
/// </remarks>
public static partial class TorchSharpNative
{
    private const string WrapperFileName = "libLibTorchSharp.so";
    private static readonly Lock Gate = new();
    private static string? s_report;

    /// <summary>What the last <see cref="EnsureLoadable"/> did, for logs: the path loaded and the needs it weakened.</summary>
    public static string Report => s_report ?? "not run";

    /// <summary>Loads <c>libLibTorchSharp.so</c>, repairing its copy in the build output first if (and only if) the
    /// loader rejects it for libstdc++ versions this system lacks.</summary>
    /// <exception cref="DllNotFoundException">The wrapper is missing or fails to load for another reason; the message
    /// carries the loader's.</exception>
    public static void EnsureLoadable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        lock (Gate)
        {
            if (s_report is not null)
            {
                return;
            }

            string path = FindWrapper();
            if (NativeLibrary.TryLoad(path, out _))
            {
                s_report = $"{path} loaded as shipped";
                return;
            }

            string error = LoaderError(path);
            Match match = MissingVersion().Match(error);
            if (!match.Success)
            {
                throw new DllNotFoundException($"TorchSharp's native wrapper {path} does not load, for a reason this repair does not address: {error}");
            }

            string systemLibrary = match.Groups["library"].Value;
            string libraryName = Path.GetFileName(systemLibrary);
            var missing = new HashSet<string>(StringComparer.Ordinal);
            foreach (ElfVersionNeeds.Need need in ElfVersionNeeds.Read(File.ReadAllBytes(path)))
            {
                if (need.Library == libraryName && !need.IsWeak && !ElfVersionNeeds.MentionsVersion(systemLibrary, need.Version))
                {
                    missing.Add(need.Version);
                }
            }

            ElfVersionNeeds.MarkWeak(path, missing);
            if (!NativeLibrary.TryLoad(path, out _))
            {
                throw new DllNotFoundException($"TorchSharp's native wrapper {path} still does not load after weakening {string.Join(", ", missing)}: {LoaderError(path)}");
            }

            s_report = $"{path} loaded after marking {string.Join(", ", missing.Order())} weak (absent from {systemLibrary})";
        }
    }

    private static string FindWrapper()
    {
        string torchDirectory = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location) ?? AppContext.BaseDirectory;
        string[] candidates =
        [
            Path.Combine(torchDirectory, "runtimes", "linux-x64", "native", WrapperFileName),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", WrapperFileName),
            Path.Combine(torchDirectory, WrapperFileName),
        ];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new DllNotFoundException($"TorchSharp's native wrapper {WrapperFileName} is not in the build output (looked at {string.Join(", ", candidates)}); is TorchSharp-cpu referenced?");
    }

    private static string LoaderError(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return "(loaded on retry)";
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
    }

    // glibc: "<lib>: version `GLIBCXX_3.4.32' not found (required by <wrapper>)".
    [GeneratedRegex(@"(?<library>/\S+?): version `(?<version>[^']+)' not found")]
    private static partial Regex MissingVersion();
}
