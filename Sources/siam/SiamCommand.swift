import SiamTensor
@main struct SiamCommand { static func main() { print(BLAS.info) } }
