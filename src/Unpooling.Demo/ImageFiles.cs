using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Unpooling.Demo;

/// <summary>Reading and writing image files: the only place the demo touches the imaging library.</summary>
internal static class ImageFiles
{
    /// <summary>The largest side accepted, so that the demo's dozen full-size float buffers stay well under 1 GB.</summary>
    public const int MaxSide = 4096;

    /// <summary>Decodes any format ImageSharp reads (PNG, JPEG, BMP, GIF, TIFF, WebP, ...) to 8-bit RGB.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable image, or is larger than <see cref="MaxSide"/>.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened.</exception>
    public static RgbCanvas Load(string path)
    {
        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(path);
        }
        catch (UnknownImageFormatException ex)
        {
            throw new InvalidDataException("not a PNG, JPEG, BMP, GIF, TIFF, WebP, PBM or TGA image.", ex);
        }
        catch (ImageFormatException ex)
        {
            throw new InvalidDataException($"the image is damaged ({ex.Message.ReplaceLineEndings(" ")}).", ex);
        }

        using (image)
        {
            if (image.Width > MaxSide || image.Height > MaxSide)
            {
                throw new InvalidDataException($"it is {image.Width}x{image.Height} pixels; the demo accepts at most {MaxSide} per side.");
            }

            var canvas = new RgbCanvas(image.Width, image.Height);
            image.CopyPixelDataTo(canvas.Pixels);
            return canvas;
        }
    }

    /// <summary>Writes the canvas as an 8-bit RGB PNG.</summary>
    public static void SavePng(RgbCanvas canvas, string path)
    {
        using Image<Rgb24> image = Image.LoadPixelData<Rgb24>(canvas.Pixels, canvas.Width, canvas.Height);
        image.SaveAsPng(path);
    }
}
