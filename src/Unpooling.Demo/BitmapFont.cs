namespace Unpooling.Demo;

/// <summary>
/// A hand-drawn 5x7 pixel font (plus a descender row for g, j, p, q, y, comma and semicolon) for the labels.
/// Machines have no guaranteed system fonts, so the demo draws its own text into pixels instead of depending on a font
/// package. Each glyph sits in a 6x9 cell (one column and one row of spacing) and is scaled by an integer factor.
/// </summary>
internal static class BitmapFont
{
    /// <summary>Width of a character cell at scale 1, spacing included.</summary>
    public const int CellWidth = 6;

    /// <summary>Height of a character cell at scale 1, spacing included.</summary>
    public const int CellHeight = 9;

    private const int GlyphWidth = 5;
    private const int GlyphHeight = 8;

    // One glyph a line: the character, then 7 rows of 5 columns ('#' = ink), and an 8th row for descenders.
    private const string Glyphs = """
        A .###. #...# #...# ##### #...# #...# #...#
        B ####. #...# #...# ####. #...# #...# ####.
        C .###. #...# #.... #.... #.... #...# .###.
        D ####. #...# #...# #...# #...# #...# ####.
        E ##### #.... #.... ####. #.... #.... #####
        F ##### #.... #.... ####. #.... #.... #....
        G .###. #...# #.... #.### #...# #...# .####
        H #...# #...# #...# ##### #...# #...# #...#
        I .###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
        J ..### ...#. ...#. ...#. ...#. #..#. .##..
        K #...# #..#. #.#.. ##... #.#.. #..#. #...#
        L #.... #.... #.... #.... #.... #.... #####
        M #...# ##.## #.#.# #.#.# #...# #...# #...#
        N #...# #...# ##..# #.#.# #..## #...# #...#
        O .###. #...# #...# #...# #...# #...# .###.
        P ####. #...# #...# ####. #.... #.... #....
        Q .###. #...# #...# #...# #.#.# #..#. .##.#
        R ####. #...# #...# ####. #.#.. #..#. #...#
        S .#### #.... #.... .###. ....# ....# ####.
        T ##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..
        U #...# #...# #...# #...# #...# #...# .###.
        V #...# #...# #...# #...# #...# .#.#. ..#..
        W #...# #...# #...# #.#.# #.#.# #.#.# .#.#.
        X #...# #...# .#.#. ..#.. .#.#. #...# #...#
        Y #...# #...# .#.#. ..#.. ..#.. ..#.. ..#..
        Z ##### ....# ...#. ..#.. .#... #.... #####
        a ..... ..... .###. ....# .#### #...# .####
        b #.... #.... #.##. ##..# #...# #...# ####.
        c ..... ..... .###. #.... #.... #...# .###.
        d ....# ....# .##.# #..## #...# #...# .####
        e ..... ..... .###. #...# ##### #.... .###.
        f ..##. .#..# .#... ###.. .#... .#... .#...
        g ..... ..... .#### #...# #...# .#### ....# .###.
        h #.... #.... #.##. ##..# #...# #...# #...#
        i ..#.. ..... .##.. ..#.. ..#.. ..#.. .###.
        j ...#. ..... ..##. ...#. ...#. ...#. #..#. .##..
        k #.... #.... #..#. #.#.. ##... #.#.. #..#.
        l .##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
        m ..... ..... ##.#. #.#.# #.#.# #...# #...#
        n ..... ..... #.##. ##..# #...# #...# #...#
        o ..... ..... .###. #...# #...# #...# .###.
        p ..... ..... ####. #...# #...# #...# ####. #....
        q ..... ..... .#### #...# #...# #...# .#### ....#
        r ..... ..... #.##. ##..# #.... #.... #....
        s ..... ..... .###. #.... .###. ....# ####.
        t .#... .#... ###.. .#... .#... .#..# ..##.
        u ..... ..... #...# #...# #...# #..## .##.#
        v ..... ..... #...# #...# #...# .#.#. ..#..
        w ..... ..... #...# #...# #.#.# #.#.# .#.#.
        x ..... ..... #...# .#.#. ..#.. .#.#. #...#
        y ..... ..... #...# #...# #...# .#### ....# .###.
        z ..... ..... ##### ...#. ..#.. .#... #####
        0 .###. #...# #..## #.#.# ##..# #...# .###.
        1 ..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.
        2 .###. #...# ....# ...#. ..#.. .#... #####
        3 ##### ...#. ..#.. ...#. ....# #...# .###.
        4 ...#. ..##. .#.#. #..#. ##### ...#. ...#.
        5 ##### #.... ####. ....# ....# #...# .###.
        6 ..##. .#... #.... ####. #...# #...# .###.
        7 ##### ....# ...#. ..#.. .#... .#... .#...
        8 .###. #...# #...# .###. #...# #...# .###.
        9 .###. #...# #...# .#### ....# ...#. .##..
        . ..... ..... ..... ..... ..... .##.. .##..
        , ..... ..... ..... ..... ..... .##.. ..#.. .#...
        : ..... .##.. .##.. ..... .##.. .##.. .....
        ; ..... .##.. .##.. ..... ..... .##.. ..#.. .#...
        - ..... ..... ..... ##### ..... ..... .....
        + ..... ..#.. ..#.. ##### ..#.. ..#.. .....
        = ..... ..... ##### ..... ##### ..... .....
        ( ...#. ..#.. .#... .#... .#... ..#.. ...#.
        ) .#... ..#.. ...#. ...#. ...#. ..#.. .#...
        [ .###. .#... .#... .#... .#... .#... .###.
        ] .###. ...#. ...#. ...#. ...#. ...#. .###.
        / ..... ....# ...#. ..#.. .#... #.... .....
        % ##... ##..# ...#. ..#.. .#... #..## ...##
        _ ..... ..... ..... ..... ..... ..... #####
        ' ..#.. ..#.. .#... ..... ..... ..... .....
        ! ..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..
        ? .###. #...# ....# ...#. ..#.. ..... ..#..
        < ...#. ..#.. .#... #.... .#... ..#.. ...#.
        > .#... ..#.. ...#. ....# ...#. ..#.. .#...
        * ..... ..#.. #.#.# .###. #.#.# ..#.. .....
        # .#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.
        | ..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..
        """;

    // Unknown characters draw as a hollow box, so a missing glyph is visible rather than silently skipped.
    private static readonly byte[] UnknownGlyph = [0x1F, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1F, 0];

    private static readonly Dictionary<char, byte[]> Table = Parse();

    /// <summary>The width in pixels of <paramref name="text"/> drawn at <paramref name="scale"/>.</summary>
    public static int MeasureWidth(string text, int scale) => text.Length * CellWidth * scale;

    /// <summary>
    /// Draws <paramref name="text"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>), each font
    /// pixel a <paramref name="scale"/>-sized square; characters that would cross <paramref name="maxWidth"/> are not drawn.
    /// </summary>
    public static void Draw(RgbCanvas canvas, string text, int x, int y, int scale, Rgb color, int maxWidth = int.MaxValue)
    {
        int fitting = Math.Min(text.Length, maxWidth / (CellWidth * scale));
        for (int i = 0; i < fitting; i++)
        {
            char c = text[i];
            if (c == ' ')
            {
                continue;
            }

            byte[] rows = Table.TryGetValue(c, out byte[]? glyph) ? glyph : UnknownGlyph;
            int left = x + (i * CellWidth * scale);
            for (int row = 0; row < GlyphHeight; row++)
            {
                for (int col = 0; col < GlyphWidth; col++)
                {
                    if ((rows[row] & (1 << (GlyphWidth - 1 - col))) != 0)
                    {
                        canvas.Fill(left + (col * scale), y + (row * scale), scale, scale, color);
                    }
                }
            }
        }
    }

    private static Dictionary<char, byte[]> Parse()
    {
        var table = new Dictionary<char, byte[]>();
        foreach (string line in Glyphs.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(' ');
            var rows = new byte[GlyphHeight];
            for (int row = 0; row < parts.Length - 1; row++)
            {
                foreach (char cell in parts[row + 1])
                {
                    rows[row] = (byte)((rows[row] << 1) | (cell == '#' ? 1 : 0));
                }
            }

            table[parts[0][0]] = rows;
        }

        return table;
    }
}
