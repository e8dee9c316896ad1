import CPNG
import Foundation

/// 8-bit pixels ready to encode: gray (1 channel) or RGB (3), row after row, interleaved.
public struct PreviewPicture: Sendable, Equatable {
  public var width: Int
  public var height: Int
  /// 1 (gray) or 3 (RGB).
  public var channels: Int
  /// `height · width · channels` bytes.
  public var bytes: [UInt8]

  public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
    precondition(
      width > 0 && height > 0 && (channels == 1 || channels == 3),
      "picture must be positive-sized gray or RGB, got \(width)×\(height)×\(channels)")
    precondition(
      bytes.count == width * height * channels, "picture needs \(width * height * channels) bytes, got \(bytes.count)")
    self.width = width
    self.height = height
    self.channels = channels
    self.bytes = bytes
  }
}

/// Encodes pictures as PNG with libpng.
///
/// libpng reports errors by `longjmp`, which Swift cannot catch, so the encoder writes into
/// memory through `png_set_write_fn` (a sink that cannot fail) and the file is written
/// afterwards with checked `fopen`/`fwrite`/`fclose`: an unwritable path throws instead of
/// reaching libpng's abort.
public enum PNGEncoder {
  /// The PNG bytes of `picture` (8 bits per sample, no interlacing, default compression).
  public static func encode(_ picture: PreviewPicture) throws -> [UInt8] {
    var pngPointer = png_create_write_struct(PNG_LIBPNG_VER_STRING, nil, nil, nil)
    var infoPointer = pngPointer.flatMap { png_create_info_struct($0) }
    defer { png_destroy_write_struct(&pngPointer, &infoPointer) }
    guard let png = pngPointer, let info = infoPointer else {
      throw PreviewError.encodingFailed("libpng could not allocate its write structures")
    }

    let sink = Sink()
    png_set_write_fn(
      png, Unmanaged.passUnretained(sink).toOpaque(),
      { png, data, length in
        guard let png, let data, let io = png_get_io_ptr(png) else { return }
        let sink = Unmanaged<Sink>.fromOpaque(io).takeUnretainedValue()
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: length))
      },
      { _ in })
    let colorType = picture.channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB
    png_set_IHDR(
      png, info, UInt32(picture.width), UInt32(picture.height), 8, colorType, PNG_INTERLACE_NONE,
      PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT)
    png_write_info(png, info)
    let rowBytes = picture.width * picture.channels
    picture.bytes.withUnsafeBufferPointer { pixels in
      for y in 0..<picture.height {
        png_write_row(png, pixels.baseAddress! + y * rowBytes)
      }
    }
    png_write_end(png, nil)
    withExtendedLifetime(sink) {}
    return sink.bytes
  }

  /// Writes `bytes` to `path`, replacing any file there.
  ///
  /// - Throws: `PreviewError.cannotWrite` with the system's reason.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    guard let file = fopen(path, "wb") else {
      throw PreviewError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
    let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    let writeErrno = errno
    if fclose(file) != 0 || written != bytes.count {
      let code = written != bytes.count ? writeErrno : errno
      throw PreviewError.cannotWrite(path: path, reason: String(cString: strerror(code)))
    }
  }

  private final class Sink {
    var bytes: [UInt8] = []
  }
}
