/// The dictionary of a `.npy` header: `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
///
/// A small recursive-descent parser for exactly the Python literals NumPy writes: a dict
/// with string keys whose values are strings, `True`/`False` or tuples of integers
/// (Python 2's `3L` suffix accepted). Structured dtypes (a list as `descr`) are rejected.
struct NPYHeader: Equatable {
  struct ParseError: Error {
    var reason: String
  }

  var descr: String
  var fortranOrder: Bool
  var shape: [Int]

  init(descr: String, fortranOrder: Bool, shape: [Int]) {
    self.descr = descr
    self.fortranOrder = fortranOrder
    self.shape = shape
  }

  init(parsing text: String) throws {
    var parser = Parser(text: Array(text.utf8))
    let dictionary = try parser.parseDictionary()
    guard case .string(let descr)? = dictionary["descr"] else {
      if dictionary["descr"] != nil {
        throw ParseError(reason: "'descr' is not a plain dtype string (structured arrays are not supported)")
      }
      throw ParseError(reason: "no 'descr' key")
    }
    guard case .bool(let fortranOrder)? = dictionary["fortran_order"] else {
      throw ParseError(reason: "no 'fortran_order' True/False")
    }
    guard case .tuple(let shape)? = dictionary["shape"] else { throw ParseError(reason: "no 'shape' tuple") }
    guard shape.allSatisfy({ $0 >= 0 }) else { throw ParseError(reason: "negative extent in shape \(shape)") }
    var product = 1
    for extent in shape {
      let (p, overflow) = product.multipliedReportingOverflow(by: extent)
      guard !overflow, p <= 1 << 40 else { throw ParseError(reason: "absurd shape \(shape)") }
      product = p
    }
    self.init(descr: descr, fortranOrder: fortranOrder, shape: shape)
  }

  enum Value: Equatable {
    case string(String)
    case bool(Bool)
    case tuple([Int])
  }

  private struct Parser {
    let text: [UInt8]
    var position = 0

    init(text: [UInt8]) { self.text = text }

    mutating func parseDictionary() throws -> [String: Value] {
      try expect(UInt8(ascii: "{"))
      var result: [String: Value] = [:]
      while true {
        skipSpaces()
        if peek == UInt8(ascii: "}") {
          position += 1
          break
        }
        let key = try parseString()
        try expect(UInt8(ascii: ":"))
        result[key] = try parseValue()
        skipSpaces()
        if peek == UInt8(ascii: ",") {
          position += 1
        } else if peek != UInt8(ascii: "}") {
          throw ParseError(reason: "expected ',' or '}' at offset \(position)")
        }
      }
      skipSpaces()
      guard position == text.count else {
        throw ParseError(reason: "unexpected text after the dictionary at offset \(position)")
      }
      return result
    }

    private var peek: UInt8? { position < text.count ? text[position] : nil }

    private mutating func skipSpaces() {
      while let c = peek, c == UInt8(ascii: " ") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\t") { position += 1 }
    }

    private mutating func expect(_ c: UInt8) throws {
      skipSpaces()
      guard peek == c else {
        throw ParseError(reason: "expected '\(Character(Unicode.Scalar(c)))' at offset \(position)")
      }
      position += 1
    }

    private mutating func parseValue() throws -> Value {
      skipSpaces()
      switch peek {
      case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
      case UInt8(ascii: "("): return .tuple(try parseTuple())
      case UInt8(ascii: "T"), UInt8(ascii: "F"):
        if try parseWord() == "True" { return .bool(true) }
        return .bool(false)
      default: throw ParseError(reason: "unexpected value at offset \(position)")
      }
    }

    private mutating func parseWord() throws -> String {
      let start = position
      while let c = peek, c >= UInt8(ascii: "A") && c <= UInt8(ascii: "z") { position += 1 }
      let word = String(decoding: text[start..<position], as: UTF8.self)
      guard word == "True" || word == "False" else { throw ParseError(reason: "unknown word '\(word)'") }
      return word
    }

    private mutating func parseString() throws -> String {
      skipSpaces()
      guard let quote = peek, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
        throw ParseError(reason: "expected a quoted string at offset \(position)")
      }
      position += 1
      let start = position
      while let c = peek, c != quote { position += 1 }
      guard peek == quote else { throw ParseError(reason: "unterminated string") }
      let value = String(decoding: text[start..<position], as: UTF8.self)
      position += 1
      return value
    }

    private mutating func parseTuple() throws -> [Int] {
      try expect(UInt8(ascii: "("))
      var values: [Int] = []
      while true {
        skipSpaces()
        if peek == UInt8(ascii: ")") {
          position += 1
          return values
        }
        let start = position
        while let c = peek, c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { position += 1 }
        guard position > start, let value = Int(String(decoding: text[start..<position], as: UTF8.self)) else {
          throw ParseError(reason: "expected an integer extent at offset \(start)")
        }
        values.append(value)
        if peek == UInt8(ascii: "L") { position += 1 }
        skipSpaces()
        if peek == UInt8(ascii: ",") {
          position += 1
        } else if peek != UInt8(ascii: ")") {
          throw ParseError(reason: "expected ',' or ')' in the shape at offset \(position)")
        }
      }
    }
  }
}
