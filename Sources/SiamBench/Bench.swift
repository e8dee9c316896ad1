import SiamTensor
